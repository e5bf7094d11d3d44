/**
 * The SMB3 POSIX extensions negotiate context (type 0x0100, which MS-SMB2 2.2.3.1 lists as reserved). Samba's
 * SMB3 POSIX extensions specification calls it SMB2_POSIX_EXTENSIONS_AVAILABLE; current Samba sends the 16
 * bytes 93AD2550-9CB4-11E7-B423-83DE968BCD7C (the POSIX create context name) as its Data, while older test
 * captures (Wireshark's smb311 decryption samples) carry 8 zero bytes. The Data is kept as it is.
 * @module
 */
import { bytes, struct, type Infer } from '../../wire/index.js'

/** The 16 bytes the context carries, in wire order. */
export const POSIX_EXTENSIONS_ID = Buffer.from('93ad25509cb411e7b42383de968bcd7c', 'hex')

/** SMB3 POSIX extensions — SMB2_POSIX_EXTENSIONS_AVAILABLE negotiate context data. */
export const PosixExtensionsNegotiateContext = struct('PosixExtensionsNegotiateContext', {}, { reserved: bytes })
export type PosixExtensionsNegotiateContext = Infer<typeof PosixExtensionsNegotiateContext>

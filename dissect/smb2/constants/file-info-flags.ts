/**
 * MS-FSCC 2.4 — the flag and enumeration fields inside file information classes: FileModeInformation,
 * FileAlignmentInformation, FILE_FULL_EA_INFORMATION flags, the named pipe classes,
 * FileDispositionInformationEx, FileRenameInformationEx and FileLinkInformationEx.
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

/** FileModeInformation.Mode. */
export const FileMode = {
  WriteThrough: 0x0000_0002,
  SequentialOnly: 0x0000_0004,
  NoIntermediateBuffering: 0x0000_0008,
  SynchronousIoAlert: 0x0000_0010,
  SynchronousIoNonalert: 0x0000_0020,
  DeleteOnClose: 0x0000_1000,
} as const
export const fileModeNames = flagNamer(FileMode, { prefix: 'FILE_' })

/** FileAlignmentInformation.AlignmentRequirement. */
export const AlignmentRequirement = {
  Byte: 0x0000_0000,
  Word: 0x0000_0001,
  Long: 0x0000_0003,
  Quad: 0x0000_0007,
  Octa: 0x0000_000f,
  Align32Byte: 0x0000_001f,
  Align64Byte: 0x0000_003f,
  Align128Byte: 0x0000_007f,
  Align256Byte: 0x0000_00ff,
  Align512Byte: 0x0000_01ff,
} as const
export const alignmentRequirementName = valueNamer(AlignmentRequirement, {
  prefix: 'FILE_',
  suffix: '_ALIGNMENT',
  overrides: {
    Align32Byte: 'FILE_32_BYTE_ALIGNMENT',
    Align64Byte: 'FILE_64_BYTE_ALIGNMENT',
    Align128Byte: 'FILE_128_BYTE_ALIGNMENT',
    Align256Byte: 'FILE_256_BYTE_ALIGNMENT',
    Align512Byte: 'FILE_512_BYTE_ALIGNMENT',
  },
})

/** Flags of FILE_FULL_EA_INFORMATION. */
export const EaFlags = {
  NeedEa: 0x80,
} as const
export const eaFlagNames = flagNamer(EaFlags, { prefix: 'FILE_' })

/** FilePipeInformation.ReadMode. */
export const PipeReadMode = { ByteStreamMode: 0, MessageMode: 1 } as const
export const pipeReadModeName = valueNamer(PipeReadMode, { prefix: 'FILE_PIPE_' })
/** FilePipeInformation.CompletionMode. */
export const PipeCompletionMode = { QueueOperation: 0, CompleteOperation: 1 } as const
export const pipeCompletionModeName = valueNamer(PipeCompletionMode, { prefix: 'FILE_PIPE_' })
/** FilePipeLocalInformation.NamedPipeType. */
export const NamedPipeType = { ByteStreamType: 0, MessageType: 1 } as const
export const namedPipeTypeName = valueNamer(NamedPipeType, { prefix: 'FILE_PIPE_' })
/** FilePipeLocalInformation.NamedPipeConfiguration. */
export const NamedPipeConfiguration = { Inbound: 0, Outbound: 1, FullDuplex: 2 } as const
export const namedPipeConfigurationName = valueNamer(NamedPipeConfiguration, { prefix: 'FILE_PIPE_' })
/** FilePipeLocalInformation.NamedPipeState. */
export const NamedPipeState = { DisconnectedState: 1, ListeningState: 2, ConnectedState: 3, ClosingState: 4 } as const
export const namedPipeStateName = valueNamer(NamedPipeState, { prefix: 'FILE_PIPE_' })
/** FilePipeLocalInformation.NamedPipeEnd. */
export const NamedPipeEnd = { ClientEnd: 0, ServerEnd: 1 } as const
export const namedPipeEndName = valueNamer(NamedPipeEnd, { prefix: 'FILE_PIPE_' })

/** FileDispositionInformationEx.Flags (FILE_DISPOSITION_DO_NOT_DELETE is 0). */
export const DispositionFlags = {
  Delete: 0x0000_0001,
  PosixSemantics: 0x0000_0002,
  ForceImageSectionCheck: 0x0000_0004,
  OnClose: 0x0000_0008,
  IgnoreReadonlyAttribute: 0x0000_0010,
} as const
export const dispositionFlagNames = flagNamer(DispositionFlags, { prefix: 'FILE_DISPOSITION_' })

/** FileRenameInformationEx.Flags. */
export const RenameFlags = {
  ReplaceIfExists: 0x0000_0001,
  PosixSemantics: 0x0000_0002,
  SuppressPinStateInheritance: 0x0000_0004,
  SuppressStorageReserveInheritance: 0x0000_0008,
  NoIncreaseAvailableSpace: 0x0000_0010,
  NoDecreaseAvailableSpace: 0x0000_0020,
  IgnoreReadonlyAttribute: 0x0000_0040,
  ForceResizeTargetSr: 0x0000_0080,
  ForceResizeSourceSr: 0x0000_0100,
} as const
export const renameFlagNames = flagNamer(RenameFlags, { prefix: 'FILE_RENAME_' })

/** FileLinkInformationEx.Flags. */
export const LinkFlags = {
  ReplaceIfExists: 0x0000_0001,
  PosixSemantics: 0x0000_0002,
  SuppressStorageReserveInheritance: 0x0000_0008,
  NoIncreaseAvailableSpace: 0x0000_0010,
  NoDecreaseAvailableSpace: 0x0000_0020,
  IgnoreReadonlyAttribute: 0x0000_0040,
  ForceResizeTargetSr: 0x0000_0080,
  ForceResizeSourceSr: 0x0000_0100,
} as const
export const linkFlagNames = flagNamer(LinkFlags, { prefix: 'FILE_LINK_' })

/** Where the shared real captures are: $SMBSCOPE_CAPTURES, ../shared/captures from the checkout, or /work/shared/captures. */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const CAPTURES_ROOT: string =
  [process.env['SMBSCOPE_CAPTURES'], resolve(process.cwd(), '../shared/captures'), '/work/shared/captures']
    .filter((p): p is string => !!p)
    .find((p) => existsSync(join(p, 'samba'))) ?? '/work/shared/captures'

export const SAMBA_CAPTURES = join(CAPTURES_ROOT, 'samba')
export const haveSambaCaptures = existsSync(SAMBA_CAPTURES)

export const samba = (name: string): string => join(SAMBA_CAPTURES, name)

/** The lab password of every Samba capture (README). */
export const LAB_PASSWORD = 'labpass'

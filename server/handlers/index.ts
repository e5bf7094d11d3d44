/** The command handlers, one file per command (same stems as dissect/smb2/commands). @module */
import type { Handler } from '../request.js'
import { changeNotify } from './change-notify.js'
import { close } from './close.js'
import { create } from './create.js'
import { echo } from './echo.js'
import { flush } from './flush.js'
import { ioctl } from './ioctl.js'
import { lock } from './lock.js'
import { logoff } from './logoff.js'
import { negotiate } from './negotiate.js'
import { oplockBreak } from './oplock-break.js'
import { queryDirectory } from './query-directory.js'
import { queryInfo } from './query-info.js'
import { read } from './read.js'
import { sessionSetup } from './session-setup.js'
import { setInfo } from './set-info.js'
import { treeConnect, treeDisconnect } from './tree-connect.js'
import { write } from './write.js'

export const HANDLERS = {
  negotiate,
  sessionSetup,
  logoff,
  treeConnect,
  treeDisconnect,
  create,
  close,
  flush,
  read,
  write,
  lock,
  ioctl,
  echo,
  queryDirectory,
  changeNotify,
  queryInfo,
  setInfo,
  oplockBreak,
} satisfies Record<string, Handler>

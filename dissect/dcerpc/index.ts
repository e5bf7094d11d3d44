/** DCE/RPC over named pipes: connection-oriented PDUs, NDR primitives and the srvsvc interface. @module */
export * from './pdu.js'
export * from './ndr.js'
export * from './srvsvc.js'

"""impacket's SMBConnection against an SMB server: mkdir, put, ls, get (byte-exact), rename, del, rmdir, shares.

usage: impacket_ops.py HOST PORT USER PASSWORD SHARE DIALECT [sign]
DIALECT: 2.0.2 | 2.1 | 3.0 | 3.0.2 | 3.1.1 | auto.  Prints one JSON line with the results; exit 0 when all passed.
"""
import io
import json
import os
import sys

from impacket.smbconnection import SMBConnection
from impacket import smb3structs as s3

host, port, user, password, share, dialect = sys.argv[1:7]
sign = len(sys.argv) > 7 and sys.argv[7] == 'sign'
DIALECTS = {'2.0.2': s3.SMB2_DIALECT_002, '2.1': s3.SMB2_DIALECT_21, '3.0': s3.SMB2_DIALECT_30,
            '3.0.2': s3.SMB2_DIALECT_302, '3.1.1': s3.SMB2_DIALECT_311, 'auto': None}
steps = {}
ok = True
try:
    conn = SMBConnection(host, host, sess_port=int(port), preferredDialect=DIALECTS[dialect])
    conn.login(user, password)
    if sign:
        conn._SMBConnection._Connection['RequireSigning'] = True
    steps['dialect'] = hex(conn.getDialect())
    steps['signing'] = bool(conn.isSigningRequired())
    shares = [s['shi1_netname'][:-1] for s in conn.listShares()]
    steps['shares'] = shares
    d = 'imp_' + dialect.replace('.', '')
    conn.createDirectory(share, d)
    data = os.urandom(300000)
    conn.putFile(share, d + '\\f.bin', io.BytesIO(data).read)
    names = sorted(f.get_longname() for f in conn.listPath(share, d + '\\*'))
    steps['ls'] = names
    got = io.BytesIO()
    conn.getFile(share, d + '\\f.bin', got.write)
    steps['get_exact'] = got.getvalue() == data
    conn.rename(share, d + '\\f.bin', d + '\\g.bin')
    names2 = sorted(f.get_longname() for f in conn.listPath(share, d + '\\*'))
    steps['renamed'] = 'g.bin' in names2 and 'f.bin' not in names2
    conn.deleteFile(share, d + '\\g.bin')
    conn.deleteDirectory(share, d)
    left = [f.get_longname() for f in conn.listPath(share, '*')]
    steps['cleaned'] = d not in left
    conn.logoff()
    ok = steps['get_exact'] and steps['renamed'] and steps['cleaned'] and names == ['.', '..', 'f.bin'] and share in shares
except Exception as e:  # report, do not hide
    steps['error'] = '%s: %s' % (type(e).__name__, e)
    ok = False
steps['ok'] = ok
print(json.dumps(steps))
sys.exit(0 if ok else 1)

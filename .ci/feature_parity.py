#!/usr/bin/env python3
"""Fail when `cargo test` would compile a shared dependency with other
features than `cargo build` does (each such crate, and everything above it,
such as the AWS SDK, would then be compiled twice on a fresh machine).
The fix is to name the feature in Cargo.toml's [dependencies] too."""
import subprocess,sys
def load(args):
    out=subprocess.run(['cargo','tree','--locked','-f','{p}|{f}','--prefix','none']+args,capture_output=True,text=True,check=True).stdout
    d={}
    for l in out.splitlines():
        if '|' not in l: continue
        k,f=l.split('|',1); k=k.replace(' (*)','').strip(); f=f.replace(' (*)','')
        d.setdefault(k,set()).update(x for x in f.split(',') if x)
    return d
a=load(['-e','no-dev']); b=load([])
bad=[(k,sorted(b[k]-a[k])) for k in sorted(a) if k in b and a[k]!=b[k]]
for k,f in bad: print(f'{k}: the test build adds features {f}')
sys.exit(1 if bad else 0)

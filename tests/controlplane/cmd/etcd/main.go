// Command etcd is the upstream etcd server main (same version kube-apiserver's client uses).
// Only built when no usable system etcd exists (or TESSERA_BUILD_ETCD=1).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}

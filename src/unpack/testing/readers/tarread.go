// Lists what Go's archive/tar (the reader containerd and Docker apply image layers with) sees
// in each tar named on the command line: one JSON line per archive, {"ok", "entries"}, each
// entry its name, kind and size. ok is false when the reader reported an error (the entries
// before it are listed). Test-only: lamina's differential tar tests run it next to other readers.
package main

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
)

type entry struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	Size int64  `json:"size"`
}

type result struct {
	Ok      bool    `json:"ok"`
	Entries []entry `json:"entries"`
}

func kind(t byte) string {
	switch t {
	case tar.TypeReg, tar.TypeRegA:
		return "file"
	case tar.TypeDir:
		return "dir"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hardlink"
	}
	return "other"
}

func read(path string) result {
	r := result{Ok: true, Entries: []entry{}}
	f, err := os.Open(path)
	if err != nil {
		r.Ok = false
		return r
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return r
		}
		if err != nil {
			r.Ok = false
			return r
		}
		// Go returns a global PAX header as a header of its own; containerd skips it
		// ("PAX Global Extended Headers found and ignored"), as an extractor does.
		if h.Typeflag != tar.TypeXGlobalHeader {
			r.Entries = append(r.Entries, entry{h.Name, kind(h.Typeflag), h.Size})
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			r.Ok = false
			return r
		}
	}
}

func main() {
	out := json.NewEncoder(os.Stdout)
	for _, path := range os.Args[1:] {
		if err := out.Encode(read(path)); err != nil {
			os.Exit(1)
		}
	}
}

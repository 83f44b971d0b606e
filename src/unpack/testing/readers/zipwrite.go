// Writes a directory into a zip with Go's archive/zip, as a Go build tool
// would: FileInfoHeader for each path (Unix modes, symlinks as links),
// deflate for files except names ending in ".stored". Usage: zipwrite DIR OUT.
// Test-only: lamina's tests check it accepts what Go writes.
package main

import (
	"archive/zip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func add(w *zip.Writer, root, path string, info fs.FileInfo) error {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == "." {
		return err
	}
	h, err := zip.FileInfoHeader(info)
	if err != nil {
		return err
	}
	h.Name = filepath.ToSlash(rel)
	switch {
	case info.IsDir():
		h.Name += "/"
	case strings.HasSuffix(h.Name, ".stored"):
		h.Method = zip.Store
	default:
		h.Method = zip.Deflate
	}
	out, err := w.CreateHeader(h)
	if err != nil || info.IsDir() {
		return err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(path)
		if err != nil {
			return err
		}
		_, err = io.WriteString(out, target)
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(out, f)
	return err
}

func main() {
	root, dest := os.Args[1], os.Args[2]
	f, err := os.Create(dest)
	if err != nil {
		panic(err)
	}
	w := zip.NewWriter(f)
	err = filepath.Walk(root, func(path string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return add(w, root, path, info)
	})
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		panic(err)
	}
}

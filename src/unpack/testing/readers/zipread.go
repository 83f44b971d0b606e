// Lists what Go's archive/zip sees in each zip named on the command line:
// one JSON line per archive, {"archive", "error", "entries"}. Each entry
// carries its name bytes (hex), its kind from FileInfo().Mode(), and the
// SHA-256 of the bytes Open() yields (a symlink's bytes are its target).
// Test-only: lamina's differential zip tests run it next to other readers.
package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
)

// maxEntryBytes bounds what one entry may yield, so a bomb cannot exhaust memory.
const maxEntryBytes = 256 << 20

type entry struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Sha256 string `json:"sha256"`
	Error  string `json:"error,omitempty"`
}

type result struct {
	Archive string  `json:"archive"`
	Error   string  `json:"error,omitempty"`
	Entries []entry `json:"entries"`
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "dir"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsRegular():
		return "file"
	default:
		return "other"
	}
}

func read(f *zip.File) (string, string) {
	h := sha256.New()
	rc, err := f.Open()
	if err != nil {
		return hex.EncodeToString(h.Sum(nil)), err.Error()
	}
	defer rc.Close()
	_, err = io.Copy(h, io.LimitReader(rc, maxEntryBytes))
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	return hex.EncodeToString(h.Sum(nil)), msg
}

func list(path string) result {
	res := result{Archive: path, Entries: []entry{}}
	r, err := zip.OpenReader(path)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer r.Close()
	for _, f := range r.File {
		e := entry{Path: hex.EncodeToString([]byte(f.Name)), Kind: kind(f.Mode())}
		e.Sha256, e.Error = read(f)
		res.Entries = append(res.Entries, e)
	}
	return res
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	for _, path := range os.Args[1:] {
		if err := enc.Encode(list(path)); err != nil {
			os.Exit(3)
		}
	}
}

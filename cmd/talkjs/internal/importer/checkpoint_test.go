package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckpointReplaysCompactsAndIgnoresATornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp")
	cp, err := openCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []record{
		{Conv: "a", Op: "send", From: 0, To: 10},
		{Conv: "a", Op: "done", To: 10, Hash: "h10"},
		{Conv: "a", Op: "send", From: 10, To: 20},
		{Conv: "b", Op: "send", From: 0, To: 3},
		{Conv: "b", Op: "reject", At: 1, Reason: "bad"},
		{Conv: "b", Op: "done", To: 3, Hash: "h3"},
		{Conv: "c", Op: "uncertain", From: 0, To: 5, Reason: "cut"},
	} {
		if err := cp.write(r); err != nil {
			t.Fatal(err)
		}
	}
	cp.close()
	// A crash mid-write leaves half a record at the end.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"conv":"a","op":"do`)
	f.Close()

	cp, err = openCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.close()
	a, b, c := cp.get("a"), cp.get("b"), cp.get("c")
	if a.Done != 10 || a.Hash != "h10" || a.Pending == nil || *a.Pending != [2]int{10, 20} || a.Uncertain != "" {
		t.Errorf("a: %+v", a)
	}
	if b.Done != 3 || b.Pending != nil || b.Rejected[1] != "bad" {
		t.Errorf("b: %+v", b)
	}
	if c.Pending == nil || c.Uncertain != "cut" {
		t.Errorf("c: %+v", c)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != 5 {
		t.Errorf("compacted journal has %d records, want 5:\n%s", n, data)
	}
}

func TestDamagedCheckpointIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp")
	os.WriteFile(path, []byte("{\"conv\":\"a\",\"op\":\"done\",\"to\":1}\nnot json\n{\"conv\":\"a\",\"op\":\"done\",\"to\":2}\n"), 0o644)
	if _, err := openCheckpoint(path); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want one naming line 2", err)
	}
}

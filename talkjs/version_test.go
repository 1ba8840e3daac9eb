package talkjs

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The version constant, sent in the User-Agent, must be the newest version
// of CHANGELOG.md, and the tag of the commit when it has one (see the
// release steps at the top of CHANGELOG.md).
func TestVersionMatchesChangelog(t *testing.T) {
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`).MatchString(Version) {
		t.Fatalf("Version = %q, want a semantic version without the v, such as 1.2.3", Version)
	}
	log, err := os.ReadFile("../CHANGELOG.md")
	if err != nil {
		t.Fatalf("os.ReadFile(../CHANGELOG.md) = %v, want nil", err)
	}
	m := regexp.MustCompile(`(?m)^## \[([^\]]+)\]`).FindSubmatch(log)
	if m == nil {
		t.Fatal("CHANGELOG.md has no version heading, want one like ## [X.Y.Z] - date")
	}
	if newest := string(m[1]); newest != Version {
		t.Errorf("Version = %s, want %s, the newest version in CHANGELOG.md (release steps are at the top of CHANGELOG.md)", Version, newest)
	}
	out, err := exec.Command("git", "tag", "--points-at", "HEAD").Output()
	if err != nil {
		t.Skipf("no git to read the tags with: %v", err)
	}
	for _, tag := range strings.Fields(string(out)) {
		if strings.HasPrefix(tag, "v") && tag != "v"+Version {
			t.Errorf("Version = %s, want %s, the commit's tag", Version, strings.TrimPrefix(tag, "v"))
		}
	}
}

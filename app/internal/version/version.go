// Package version holds the build's version and commit, set at link time by
// app/build.sh with -ldflags "-X".
package version

var (
	version = "dev"
	commit  = "unknown"
)

// Info is what /version answers.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

// Get returns the build's version and commit.
func Get() Info { return Info{Version: version, Commit: commit} }

package flinkdist

import (
	"testing"

	. "github.com/onsi/gomega"
)

func TestLocateNamesTheInstallScriptWhenMissing(t *testing.T) {
	g := NewWithT(t)
	t.Setenv("TEAL_CACHE", t.TempDir())
	_, err := Locate("0.0.0-missing")
	g.Expect(err).To(MatchError(ContainSubstring("hack/install-flink.sh")))
}

func TestInstalledDistributions(t *testing.T) {
	for _, version := range []string{Flink1, Flink2} {
		t.Run(version, func(t *testing.T) {
			g := NewWithT(t)
			dist := Require(t, version)
			flags, err := dist.javaModuleFlags()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(flags).To(ContainElement("--add-opens=java.base/java.util=ALL-UNNAMED"))
			g.Expect(dist.TopSpeedWindowingJar()).To(BeARegularFile())
		})
	}
}

func TestSessionConfigUsesTheVersionsKeys(t *testing.T) {
	cases := []struct {
		version      string
		savepointKey string
	}{
		{version: Flink1, savepointKey: "state.savepoints.dir"},
		{version: Flink2, savepointKey: "execution.checkpointing.savepoint-dir"},
	}
	for _, tc := range cases {
		t.Run(tc.version, func(t *testing.T) {
			g := NewWithT(t)
			session := &Session{CheckpointDir: "/c", SavepointDir: "/s", ConfDir: "/conf"}
			config := sessionConfig(Distribution{Version: tc.version}, session, SessionOptions{}, []int{1, 2, 3, 4, 5})
			g.Expect(config).To(HaveKeyWithValue(tc.savepointKey, "file:///s"))
			g.Expect(config).To(HaveKeyWithValue("rest.port", "1"))
			g.Expect(config).To(HaveKeyWithValue("rest.bind-address", "127.0.0.1"))
			withoutDefault := sessionConfig(Distribution{Version: tc.version}, session,
				SessionOptions{WithoutDefaultSavepointDir: true}, []int{1, 2, 3, 4, 5})
			g.Expect(withoutDefault).NotTo(HaveKey(tc.savepointKey))
		})
	}
}

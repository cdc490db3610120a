package manager

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/operatorconfig"
)

// TestWatchedNamespaces: upstream's JOSDK_ALL_NAMESPACES means every namespace (before the fix it was taken
// as the name of a namespace, and nothing was watched).
func TestWatchedNamespaces(t *testing.T) {
	cases := []struct {
		name, flag, config string
		want               []string
	}{
		{name: "unset: all", want: nil},
		{name: "JOSDK_ALL_NAMESPACES: all", config: "JOSDK_ALL_NAMESPACES", want: nil},
		{name: "a list", config: "b, a,,a", want: []string{"a", "b"}},
		{name: "the flag wins", flag: "c", config: "a", want: []string{"c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			values := map[string]string{}
			if tc.config != "" {
				values[operatorconfig.KeyWatchedNamespaces] = tc.config
			}
			namespaces := WatchedNamespaces(tc.flag, operatorconfig.New(values))
			g.Expect(namespaces).To(Equal(tc.want))
			options := CacheOptions(namespaces, nil)
			g.Expect(options.DefaultNamespaces).To(HaveLen(len(tc.want)))
		})
	}
}

func TestLabelSelector(t *testing.T) {
	g := NewWithT(t)
	selector, err := LabelSelector(operatorconfig.New(map[string]string{operatorconfig.KeyLabelSelector: "owner=teal"}))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(selector.String()).To(Equal("owner=teal"))
	g.Expect(CacheOptions(nil, selector).ByObject).To(HaveLen(4))
	_, err = LabelSelector(operatorconfig.New(map[string]string{operatorconfig.KeyLabelSelector: "owner in (("}))
	g.Expect(err).To(MatchError(ContainSubstring(operatorconfig.KeyLabelSelector)))
}

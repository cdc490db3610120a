package flinkvalue_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/teal-flink/teal/internal/flinkvalue"
)

func TestParseFlinkDuration(t *testing.T) {
	cases := []struct {
		text string
		want time.Duration
		bad  bool
	}{
		{text: "10 min", want: 10 * time.Minute}, {text: "30s", want: 30 * time.Second},
		{text: "500 ms", want: 500 * time.Millisecond}, {text: "1500", want: 1500 * time.Millisecond},
		{text: "2 D", want: 48 * time.Hour}, {text: "1h", want: time.Hour}, {text: "3 seconds", want: 3 * time.Second},
		{text: "PT10M", want: 10 * time.Minute}, {text: "P1DT2H", want: 26 * time.Hour}, {text: "pt0.5s", want: 500 * time.Millisecond},
		{text: "", bad: true}, {text: "-1 s", bad: true}, {text: "ten", bad: true}, {text: "10 fortnights", bad: true},
		{text: "P", bad: true}, {text: "PT", bad: true}, {text: "PT1.5M", bad: true}, {text: "99999999999999 d", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			g := NewWithT(t)
			got, err := flinkvalue.ParseDuration(tc.text)
			if tc.bad {
				g.Expect(err).To(HaveOccurred())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
}

func TestParseMemory(t *testing.T) {
	cases := []struct {
		text string
		want int64
		bad  bool
	}{
		{text: "2048m", want: 2048 << 20}, {text: "1G", want: 1 << 30}, {text: "100", want: 100}, {text: "2Gi", want: 2 << 30},
		{text: "1.5G", want: 1500000000}, {text: "invalid", bad: true}, {text: "-2Gi", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			g := NewWithT(t)
			got, err := flinkvalue.ParseMemory(tc.text)
			if tc.bad {
				g.Expect(err).To(HaveOccurred())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
}

package operatorconfig

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

const (
	tableBegin = "<!-- BEGIN GENERATED KEY TABLE (go test ./internal/operatorconfig -run TestGenerated with UPDATE_GENERATED=1) -->\n"
	tableEnd   = "<!-- END GENERATED KEY TABLE -->"
)

var repoRoot = filepath.Join("..", "..")

// TestGeneratedDocsAndChartSchemaAreCurrent keeps docs/configuration.md's key table and the chart schema's
// operatorConfiguration properties generated from the registry. UPDATE_GENERATED=1 rewrites them.
func TestGeneratedDocsAndChartSchemaAreCurrent(t *testing.T) {
	g := NewWithT(t)
	update := os.Getenv("UPDATE_GENERATED") == "1"

	docsPath := filepath.Join(repoRoot, "docs", "configuration.md")
	docs, err := os.ReadFile(docsPath)
	g.Expect(err).NotTo(HaveOccurred())
	begin, end := strings.Index(string(docs), tableBegin), strings.Index(string(docs), tableEnd)
	g.Expect(begin).To(BeNumerically(">=", 0), "docs/configuration.md lacks the table markers")
	g.Expect(end).To(BeNumerically(">", begin))
	want := string(docs[:begin]) + tableBegin + MarkdownTable() + string(docs[end:])
	if update {
		g.Expect(os.WriteFile(docsPath, []byte(want), 0o644)).To(Succeed())
	} else {
		g.Expect(string(docs)).To(Equal(want), "docs/configuration.md is stale: rerun with UPDATE_GENERATED=1")
	}

	schemaPath := filepath.Join(repoRoot, "charts", "teal", "values.schema.json")
	schema, err := os.ReadFile(schemaPath)
	g.Expect(err).NotTo(HaveOccurred())
	block := regexp.MustCompile(`(?s)    "operatorConfiguration": \{.*?\n    \},\n`)
	g.Expect(block.Match(schema)).To(BeTrue(), "values.schema.json lacks the operatorConfiguration block")
	generated := renderSchemaBlock(g)
	if update {
		g.Expect(os.WriteFile(schemaPath, block.ReplaceAll(schema, []byte(generated)), 0o644)).To(Succeed())
	} else {
		g.Expect(string(block.Find(schema))).To(Equal(generated), "values.schema.json is stale: rerun with UPDATE_GENERATED=1")
	}
}

func renderSchemaBlock(g Gomega) string {
	properties := SchemaProperties()
	names := make([]string, 0, len(properties))
	for name := range properties {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`    "operatorConfiguration": {` + "\n")
	b.WriteString(`      "type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]},` + "\n")
	b.WriteString(`      "properties": {` + "\n")
	for i, name := range names {
		raw, err := json.Marshal(properties[name])
		g.Expect(err).NotTo(HaveOccurred())
		comma := ","
		if i == len(names)-1 {
			comma = ""
		}
		b.WriteString("        " + mustJSON(g, name) + ": " + string(raw) + comma + "\n")
	}
	b.WriteString("      }\n    },\n")
	return b.String()
}

func mustJSON(g Gomega, value any) string {
	raw, err := json.Marshal(value)
	g.Expect(err).NotTo(HaveOccurred())
	return string(raw)
}

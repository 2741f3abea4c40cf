// Package catalogue loads the catalogue's reference data (R-CAT-1, R-CAT-2,
// R-ORG-5): the LHEO 2.3 code tables and local code lists, and the
// certifications of France compétences' open-data export with their skill
// blocks and accreditations. Imports are idempotent: a second run changes
// nothing and says so.
package catalogue

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Counts tells what an import did to one kind of record.
type Counts struct {
	Created, Updated, Unchanged int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d créé(s), %d modifié(s), %d inchangé(s)", c.Created, c.Updated, c.Unchanged)
}

// Total is the number of records seen.
func (c Counts) Total() int { return c.Created + c.Updated + c.Unchanged }

// RowError is a malformed row, skipped.
type RowError struct {
	File string
	Line int
	Msg  string
}

func (e RowError) Error() string { return fmt.Sprintf("%s, ligne %d : %s", e.File, e.Line, e.Msg) }

// maxKept bounds the malformed rows a report lists (all are counted).
const maxKept = 200

// Report is the outcome of an import.
type Report struct {
	Certifications Counts
	ReplacedBy     Counts // replaced-by links, set once every certification exists
	SkillBlocks    Counts
	Accreditations Counts
	Codes          Counts // reference codes (nsf, formacode… or the LHEO tables)
	Rows           int
	Malformed      []RowError // the first maxKept
	MalformedCount int
}

func (r *Report) bad(file string, line int, format string, args ...any) {
	r.MalformedCount++
	if len(r.Malformed) < maxKept {
		r.Malformed = append(r.Malformed, RowError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
}

// Print writes the report in French for the command line.
func (r *Report) Print(w io.Writer) {
	if r.Certifications.Total() > 0 || r.SkillBlocks.Total() > 0 || r.Accreditations.Total() > 0 {
		fmt.Fprintf(w, "Certifications : %s\n", r.Certifications)
		fmt.Fprintf(w, "Liens « remplacée par » : %s\n", r.ReplacedBy)
		fmt.Fprintf(w, "Blocs de compétences : %s\n", r.SkillBlocks)
		fmt.Fprintf(w, "Habilitations : %s\n", r.Accreditations)
	}
	fmt.Fprintf(w, "Codes de référence : %s\n", r.Codes)
	fmt.Fprintf(w, "%d ligne(s) lue(s)\n", r.Rows)
	if r.MalformedCount > 0 {
		fmt.Fprintf(w, "%d ligne(s) mal formée(s) ignorée(s) (le reste a été importé) :\n", r.MalformedCount)
		for _, e := range r.Malformed {
			fmt.Fprintf(w, "  %s\n", e.Error())
		}
		if r.MalformedCount > len(r.Malformed) {
			fmt.Fprintf(w, "  … et %d autre(s)\n", r.MalformedCount-len(r.Malformed))
		}
	}
}

// row gives a CSV record's values by column name.
type row struct {
	cols map[string]int
	rec  []string
	Line int
}

// Get returns the trimmed value of column name ("" when absent). France
// compétences prefixes SIRETs with a TAB inside the quotes: trimmed too.
func (r row) Get(name string) string {
	i, ok := r.cols[name]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

// eachRow streams a CSV (sep-separated, header first) and calls fn per
// record. Malformed records (wrong field count, bad quoting) and records
// fn rejects with a *RowError are counted in rep and skipped; other errors
// abort. required columns must be in the header.
func eachRow(in io.Reader, file string, sep rune, rep *Report, p *Progress, required []string, fn func(row) error) error {
	cr := csv.NewReader(in)
	cr.Comma = sep
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s : en-tête illisible : %w", file, err)
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return fmt.Errorf("%s : colonne %q absente de l'en-tête", file, c)
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		p.Row()
		rep.Rows++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rep.bad(file, pe.StartLine, "%v", pe.Err)
				continue
			}
			return fmt.Errorf("%s : %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		if err := fn(row{cols: cols, rec: rec, Line: line}); err != nil {
			var re *RowError
			if errors.As(err, &re) {
				rep.bad(file, line, "%s", re.Msg)
				continue
			}
			return err
		}
	}
}

// malformed is the error fn returns to skip a row.
func malformed(format string, args ...any) error {
	return &RowError{Msg: fmt.Sprintf(format, args...)}
}

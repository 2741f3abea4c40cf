package catalogue

import (
	"bytes"
	"context"
	"embed"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/referencecode"
	"github.com/ofhub/ofhub/ent/viewer"
)

// The LHEO 2.3 code tables and the NSF nomenclature ship with the binary;
// data/SOURCE.txt says where they come from.
//
//go:embed data/lheo-2.3-dicts.csv data/lheo-dict-NSF.xml
var embedded embed.FS

const (
	dictsFile = "lheo-2.3-dicts.csv"
	nsfFile   = "lheo-dict-NSF.xml"
)

// Code is one entry of a code list.
type Code struct {
	List, Code, Label, Parent string
	Position                  int
	Active                    bool
}

// listOf maps LHEO dictionaries to ofhub list names; the others become
// their name without "dict-", with underscores (e.g. etat_recrutement).
var listOf = map[string]string{
	"dict-financeurs":             "funder",
	"dict-niveaux":                "level",
	"dict-modalites-enseignement": "teaching_mode",
	"dict-type-parcours":          "course_type",
	"dict-modalite-recrutement":   "recruitment_modality",
	"dict-type-equipement":        "equipment",
	"dict-unite-rythme":           "rhythm_unit",
	"dict-boolean":                "", // not a list anybody picks from
}

func listName(dict string) string {
	if l, ok := listOf[dict]; ok {
		return l
	}
	return strings.ReplaceAll(strings.TrimPrefix(strings.ToLower(dict), "dict-"), "-", "_")
}

// LHEOCodes reads the LHEO tables (dir's lheo-2.3-dicts.csv and
// lheo-dict-NSF.xml when dir is given and holds them, else the embedded
// copies) plus the local lists, in display order.
func LHEOCodes(dir string, rep *Report) ([]Code, error) {
	open := func(name string) (io.ReadCloser, error) {
		if dir != "" {
			f, err := os.Open(filepath.Join(dir, name))
			if err == nil {
				return f, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		return embedded.Open("data/" + name)
	}
	var codes []Code
	pos := map[string]int{}
	f, err := open(dictsFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	err = eachRow(f, dictsFile, ',', rep, nil, []string{"dict", "code", "label"}, func(r row) error {
		list, code := listName(r.Get("dict")), r.Get("code")
		if list == "" {
			return nil
		}
		if code == "" {
			return malformed("code vide")
		}
		pos[list]++
		// "Code(s) obsolète(s)" entries are kept, inactive, for old data.
		active := !strings.HasPrefix(strings.ToLower(r.Get("label")), "code(s) obsol")
		codes = append(codes, Code{List: list, Code: code, Label: r.Get("label"), Position: pos[list], Active: active})
		return nil
	})
	if err != nil {
		return nil, err
	}
	nf, err := open(nsfFile)
	if err != nil {
		return nil, err
	}
	defer nf.Close()
	raw, err := io.ReadAll(nf)
	if err != nil {
		return nil, err
	}
	var d struct {
		Entries []struct {
			Key struct {
				Val string `xml:"val,attr"`
			} `xml:"key"`
			Value struct {
				Val string `xml:"val,attr"`
			} `xml:"value"`
		} `xml:"entry"`
	}
	if err := xml.NewDecoder(bytes.NewReader(raw)).Decode(&d); err != nil {
		return nil, fmt.Errorf("%s : %w", nsfFile, err)
	}
	for i, e := range d.Entries {
		codes = append(codes, Code{List: "nsf", Code: e.Key.Val, Label: e.Value.Val, Position: i + 1, Active: true})
	}
	return append(codes, localCodes()...), nil
}

// localCodes are lists LHEO does not publish. They are INVENTED, plausible
// values (no public national list of funder → measure → audience, rhythms,
// archive reasons or facilities was found): an operator edits them.
func localCodes() []Code {
	var out []Code
	add := func(list, parent string, pairs ...string) {
		n := 0
		for _, c := range out {
			if c.List == list {
				n++
			}
		}
		for i := 0; i+1 < len(pairs); i += 2 {
			n++
			out = append(out, Code{List: list, Code: pairs[i], Label: pairs[i+1], Parent: parent, Position: n, Active: true})
		}
	}
	// INVENTED: measures (dispositifs) by funder code of dict-financeurs.
	add("measure", "2", "PRF", "Programme régional de formation", "CHQ-REG", "Chèque formation régional")
	add("measure", "4", "AIF", "Aide individuelle à la formation", "AFC", "Action de formation conventionnée", "POEI", "Préparation opérationnelle à l'emploi individuelle", "POEC", "Préparation opérationnelle à l'emploi collective")
	add("measure", "16", "CPRO", "Contrat de professionnalisation", "PROA", "Reconversion ou promotion par alternance (Pro-A)", "PDC", "Plan de développement des compétences")
	add("measure", "16", "APPR", "Contrat d'apprentissage")
	add("measure", "10", "CPF", "Compte personnel de formation", "AUTOFIN", "Autofinancement")
	add("measure", "17", "PTP", "Projet de transition professionnelle")
	add("measure", "7", "AGEFIPH-AIF", "Aide individuelle Agefiph")
	// INVENTED: audiences (publics) by measure.
	add("audience", "PRF", "PRF-DE", "Demandeurs d'emploi", "PRF-JEUNES", "Jeunes de 16 à 25 ans sans qualification", "PRF-RSA", "Bénéficiaires du RSA")
	add("audience", "CHQ-REG", "CHQ-DE", "Demandeurs d'emploi")
	add("audience", "AIF", "AIF-DE", "Demandeurs d'emploi inscrits")
	add("audience", "AFC", "AFC-DE", "Demandeurs d'emploi inscrits", "AFC-TH", "Demandeurs d'emploi bénéficiaires de l'obligation d'emploi")
	add("audience", "POEI", "POEI-DE", "Demandeurs d'emploi avec promesse d'embauche")
	add("audience", "POEC", "POEC-DE", "Demandeurs d'emploi")
	add("audience", "CPRO", "CPRO-ALT", "Alternants en contrat de professionnalisation")
	add("audience", "PROA", "PROA-SAL", "Salariés en CDI")
	add("audience", "PDC", "PDC-SAL", "Salariés")
	add("audience", "APPR", "APPR-JEUNES", "Jeunes de 16 à 29 ans", "APPR-TH", "Personnes en situation de handicap (sans limite d'âge)")
	add("audience", "CPF", "CPF-SAL", "Salariés", "CPF-DE", "Demandeurs d'emploi", "CPF-IND", "Travailleurs indépendants")
	add("audience", "AUTOFIN", "AUTOFIN-TP", "Tout public")
	add("audience", "PTP", "PTP-SAL", "Salariés en reconversion")
	add("audience", "AGEFIPH-AIF", "AGEFIPH-TH", "Personnes en situation de handicap")
	// INVENTED: rhythms, archive reasons.
	add("rhythm", "", "1", "Temps plein", "2", "Temps partiel", "3", "En alternance", "4", "Intra-entreprise", "5", "Cours du soir", "6", "Week-end")
	add("archive_reason", "", "1", "Formation plus dispensée", "2", "Doublon", "3", "Certification non renouvelée", "4", "Organisme en cessation d'activité", "5", "Autre")
	// Reception facilities (R-ORG-3), as OFeli lists them (seed 003).
	add("facility", "", "01", "Restauration possible en centre", "02", "Hébergement possible en centre", "03", "Accès aux personnes en situation de handicap", "04", "Accès en bus possible", "05", "Accès en tram possible", "06", "Accès en train possible", "07", "Parkings à disposition")
	// INVENTED: other quality labels (R-ORG-4) and scheme states set by the
	// operator at validation (R-CAT-13; DIFF is the seed's "Fiche validée web").
	add("quality_label", "", "CLEA", "Habilitation CléA", "EDUFORM", "Label Eduform", "ISO9001", "ISO 9001", "NF214", "NF Service Formation (NF214)", "OPQF", "Qualification OPQF")
	add("scheme_state", "", "DIFF", "Fiche validée web", "ATT", "Fiche en attente au Carif", "NDIFF", "Fiche validée non diffusée")
	return out
}

// ImportLHEODicts loads the LHEO tables and the local lists (see
// LHEOCodes), upserting by list and code in one transaction.
func ImportLHEODicts(ctx context.Context, c *ent.Client, dir string) (*Report, error) {
	rep := &Report{}
	codes, err := LHEOCodes(dir, rep)
	if err != nil {
		return rep, err
	}
	rep.Codes, err = UpsertCodes(ctx, c, codes, true)
	return rep, err
}

// UpsertCodes creates the missing codes and, when update, updates those
// that differ, in one transaction.
func UpsertCodes(ctx context.Context, c *ent.Client, codes []Code, update bool) (Counts, error) {
	ctx = viewer.SystemContext(ctx)
	var n Counts
	lists := map[string]bool{}
	for _, cd := range codes {
		lists[cd.List] = true
	}
	names := make([]string, 0, len(lists))
	for l := range lists {
		names = append(names, l)
	}
	sort.Strings(names)
	err := withTx(ctx, c, func(tx *ent.Client) error {
		existing, err := tx.ReferenceCode.Query().Where(referencecode.ListIn(names...)).All(ctx)
		if err != nil {
			return err
		}
		have := make(map[[2]string]*ent.ReferenceCode, len(existing))
		for _, e := range existing {
			have[[2]string{e.List, e.Code}] = e
		}
		var creates []*ent.ReferenceCodeCreate
		for _, cd := range codes {
			e, ok := have[[2]string{cd.List, cd.Code}]
			switch {
			case !ok:
				creates = append(creates, tx.ReferenceCode.Create().SetList(cd.List).SetCode(cd.Code).SetLabel(cd.Label).
					SetParentCode(cd.Parent).SetPosition(cd.Position).SetActive(cd.Active))
				have[[2]string{cd.List, cd.Code}] = &ent.ReferenceCode{List: cd.List, Code: cd.Code, Label: cd.Label, ParentCode: cd.Parent, Position: cd.Position, Active: cd.Active}
				n.Created++
			case update && (e.Label != cd.Label || e.ParentCode != cd.Parent || e.Position != cd.Position || e.Active != cd.Active):
				if e.ID == 0 { // a duplicate of a row created above
					n.Unchanged++
					continue
				}
				if err := tx.ReferenceCode.UpdateOne(e).SetLabel(cd.Label).SetParentCode(cd.Parent).
					SetPosition(cd.Position).SetActive(cd.Active).Exec(ctx); err != nil {
					return err
				}
				n.Updated++
			default:
				n.Unchanged++
			}
		}
		for i := 0; i < len(creates); i += batchSize {
			if err := tx.ReferenceCode.CreateBulk(creates[i:min(i+batchSize, len(creates))]...).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// withTx runs fn in a transaction: all of it or nothing.
func withTx(ctx context.Context, c *ent.Client, fn func(tx *ent.Client) error) error {
	tx, err := c.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return err
	}
	return tx.Commit()
}

package catalogue_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/referencecode"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/catalogue"
)

// sample is France compétences' 9-fiche sample export (testdata/francecompetences/SOURCE.txt).
const sample = "../../testdata/francecompetences/export-fiches-csv-2024-02-22-sample.zip"

func importSample(t *testing.T, e *apptest.Env, zipPath string) *catalogue.Report {
	t.Helper()
	var out bytes.Buffer
	rep, err := catalogue.ImportFranceCompetences(context.Background(), e.Client(), zipPath, nil, &out)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(out.String(), "100%") {
		t.Errorf("progress output without 100%%:\n%s", out.String())
	}
	return rep
}

type rowCounts struct{ certs, blocks, accrs, codes int }

func counts(t *testing.T, e *apptest.Env) rowCounts {
	t.Helper()
	ctx, c := e.Sys(), e.Client()
	var n rowCounts
	var err error
	if n.certs, err = c.Certification.Query().Count(ctx); err != nil {
		t.Fatal(err)
	}
	n.blocks, _ = c.SkillBlock.Query().Count(ctx)
	n.accrs, _ = c.Accreditation.Query().Count(ctx)
	n.codes, _ = c.ReferenceCode.Query().Count(ctx)
	return n
}

func TestFranceCompetencesImport_R_CAT_1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx, c := e.Sys(), e.Client()
		alyra, err := c.Organization.Create().SetName("Alyra").SetSiret("82815245400033").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rep := importSample(t, e, sample)
		want := catalogue.Counts{Created: 9}
		if rep.Certifications != want || rep.SkillBlocks != (catalogue.Counts{Created: 6}) ||
			rep.Accreditations != (catalogue.Counts{Created: 15}) || rep.ReplacedBy != (catalogue.Counts{Created: 5}) {
			t.Fatalf("first import: %+v", rep)
		}
		if rep.MalformedCount != 0 {
			t.Fatalf("malformed rows in the sample: %+v", rep.Malformed)
		}
		ct, err := c.Certification.Query().Where(certification.Code("RNCP509")).WithSkillBlocks().Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(2023, 8, 31, 0, 0, 0, 0, time.UTC)
		if ct.Title != "Agent vérificateur d'appareils extincteurs" || ct.Level == nil || *ct.Level != 3 ||
			ct.Acronym != "CAP" || ct.State != certification.StateINACTIVE || ct.RncpCode == nil || *ct.RncpCode != "RNCP509" ||
			ct.RsCode != nil || !ct.Apprenticeship || ct.RegistrationEndDate == nil || !ct.RegistrationEndDate.Equal(end) ||
			strings.Join(ct.NsfCodes, ",") != "251" || strings.Join(ct.Formacodes, ",") != "42872" ||
			strings.Join(ct.CertifierNames, ",") != "MINISTERE DE L'EDUCATION NATIONALE ET DE LA JEUNESSE" ||
			strings.Join(ct.CertifierSirets, ",") != "11004301500012" {
			t.Errorf("RNCP509 = %+v", ct)
		}
		blocks := map[string]string{}
		for _, b := range ct.Edges.SkillBlocks {
			blocks[b.Code] = b.Label
		}
		if len(blocks) != 6 || blocks["RNCP509BC01"] != "UP1 : Vérification d’une installation et organisation de l’intervention" {
			t.Errorf("RNCP509 blocks = %v", blocks)
		}
		rs, _ := c.Certification.Query().Where(certification.Code("RS5000")).Only(ctx)
		if rs.Level != nil || rs.RsCode == nil || *rs.RsCode != "RS5000" || rs.State != certification.StateACTIVE || rs.Apprenticeship {
			t.Errorf("RS5000 = %+v", rs)
		}
		old, _ := c.Certification.Query().Where(certification.Code("RNCP4049")).WithReplacedBy().Only(ctx)
		if old.Edges.ReplacedBy == nil || old.Edges.ReplacedBy.Code != "RNCP22094" {
			t.Errorf("RNCP4049 replaced by %+v", old.Edges.ReplacedBy)
		}
		// Certifier and partner with one SIRET: one accreditation, both roles.
		inbp, _ := c.Accreditation.Query().Where(accreditation.Siret("31504294500032"), accreditation.HasCertificationWith(certification.Code("RS6117"))).Only(ctx)
		if inbp == nil || !inbp.Certifier || !inbp.MayTrain || !inbp.MayAssess {
			t.Errorf("INBP accreditation = %+v", inbp)
		}
		al, _ := c.Accreditation.Query().Where(accreditation.Siret("82815245400033")).Only(ctx)
		if al == nil || al.OrganizationID == nil || *al.OrganizationID != alyra.ID || al.Certifier || !al.MayTrain ||
			al.EndDate == nil || !al.EndDate.Equal(time.Date(2024, 5, 24, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("ALYRA accreditation = %+v", al)
		}
		if n, _ := c.ReferenceCode.Query().Where(referencecode.List("formacode"), referencecode.Code("31004"), referencecode.LabelEQ("Blockchain")).Count(ctx); n != 1 {
			t.Errorf("formacode 31004 not listed")
		}
		before := counts(t, e)
		if before != (rowCounts{9, 6, 15, 10}) {
			t.Errorf("rows = %+v", before)
		}
		// Idempotent: a second run changes nothing.
		rep = importSample(t, e, sample)
		if rep.Certifications != (catalogue.Counts{Unchanged: 9}) || rep.SkillBlocks != (catalogue.Counts{Unchanged: 6}) ||
			rep.Accreditations != (catalogue.Counts{Unchanged: 15}) || rep.ReplacedBy != (catalogue.Counts{Unchanged: 5}) ||
			rep.Codes != (catalogue.Counts{Unchanged: 10}) {
			t.Errorf("second import: %+v", rep)
		}
		if after := counts(t, e); after != before {
			t.Errorf("rows after second import = %+v, want %+v", after, before)
		}
	})
}

// malformedZip copies the sample, breaking one Standard row and adding a
// skill block of an unknown certification.
func malformedZip(t *testing.T) string {
	t.Helper()
	zr, err := zip.OpenReader(sample)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	path := filepath.Join(t.TempDir(), "broken.zip")
	f, _ := os.Create(path)
	zw := zip.NewWriter(f)
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		data := buf.String()
		switch {
		case strings.Contains(zf.Name, "_Standard_"):
			// line 3 (RNCP1197): an impossible date.
			data = strings.Replace(data, `"31/12/2006"`, `"31/13/2006"`, 1)
			// line 11: too few fields.
			data += `"99";"RNCP99999";"Tronquée"` + "\r\n"
		case strings.Contains(zf.Name, "_Blocs_De_"):
			data += `"RNCP424242";"RNCP424242BC01";"Bloc orphelin"` + "\r\n"
		}
		w, _ := zw.Create(zf.Name)
		w.Write([]byte(data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func TestFranceCompetencesMalformedRows_R_CAT_1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		rep := importSample(t, e, malformedZip(t))
		if rep.MalformedCount != 3 {
			t.Fatalf("malformed = %d %+v", rep.MalformedCount, rep.Malformed)
		}
		msgs := []string{}
		for _, m := range rep.Malformed {
			msgs = append(msgs, m.Error())
		}
		all := strings.Join(msgs, "\n")
		for _, want := range []string{
			"export_fiches_CSV_Standard_2024_02_22.csv, ligne 3 : Date_Fin_Enregistrement : date \"31/13/2006\" invalide",
			"export_fiches_CSV_Standard_2024_02_22.csv, ligne 11 : wrong number of fields",
			"ligne 8 : certification \"RNCP424242\" inconnue",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("missing %q in\n%s", want, all)
			}
		}
		// The rest is imported.
		if rep.Certifications.Created != 8 || rep.SkillBlocks.Created != 6 {
			t.Errorf("imported %+v", rep)
		}
		var out bytes.Buffer
		rep.Print(&out)
		if !strings.Contains(out.String(), "3 ligne(s) mal formée(s) ignorée(s)") {
			t.Errorf("report:\n%s", out.String())
		}
	})
}

func TestLHEODictsImport_R_CAT_2(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx, c := e.Sys(), e.Client()
		rep, err := catalogue.ImportLHEODicts(context.Background(), c, "../../testdata/lheo")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Codes.Created == 0 || rep.Codes.Updated+rep.Codes.Unchanged != 0 {
			t.Fatalf("first import: %+v", rep.Codes)
		}
		get := func(list, code string) *ent.ReferenceCode {
			t.Helper()
			rc, err := c.ReferenceCode.Query().Where(referencecode.List(list), referencecode.Code(code)).Only(ctx)
			if err != nil {
				t.Fatalf("%s/%s: %v", list, code, err)
			}
			return rc
		}
		if l := get("level", "13").Label; !strings.HasPrefix(l, "Niveau 3. Capacité") {
			t.Errorf("level 13 = %q", l)
		}
		if l := get("nsf", "251").Label; l != "Mécanique générale et de précision, usinage" {
			t.Errorf("nsf 251 = %q", l)
		}
		if l := get("funder", "16").Label; l != "OPCO" {
			t.Errorf("funder 16 = %q", l)
		}
		if l := get("recruitment_modality", "9").Label; l != "information collective" {
			t.Errorf("recruitment modality 9 = %q", l)
		}
		if get("funder", "1").Active {
			t.Errorf("obsolete funder code 1 is active")
		}
		if m := get("measure", "AFC"); m.ParentCode != "4" {
			t.Errorf("measure AFC parent = %q", m.ParentCode)
		}
		n, _ := c.ReferenceCode.Query().Count(ctx)
		again, err := catalogue.ImportLHEODicts(context.Background(), c, "")
		if err != nil {
			t.Fatal(err)
		}
		if again.Codes != (catalogue.Counts{Unchanged: rep.Codes.Created}) {
			t.Errorf("second import: %+v, want %d unchanged", again.Codes, rep.Codes.Created)
		}
		if n2, _ := c.ReferenceCode.Query().Count(ctx); n2 != n {
			t.Errorf("rows %d → %d", n, n2)
		}
	})
}

func TestCatalogueGraphQL_R_CAT_1_R_CAT_2(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		alyra := e.Org("Alyra", nil)
		if err := e.Client().Organization.UpdateOne(alyra).SetSiret("82815245400033").Exec(e.Sys()); err != nil {
			t.Fatal(err)
		}
		if _, err := catalogue.ImportLHEODicts(context.Background(), e.Client(), ""); err != nil {
			t.Fatal(err)
		}
		importSample(t, e, sample)
		e.Operator("op@ofhub.test")
		op := e.Login("op@ofhub.test", apptest.Password)
		e.User("alyra@ofhub.test", alyra, viewer.Manager)
		member := e.Login("alyra@ofhub.test", apptest.Password)

		// Anonymous users read certifications, blocks and code lists.
		r := e.Q("", `{certifications(first: 10, search: "agroalimentaire services", orderBy: [{field: CODE}]){totalCount edges{node{code title level state}}}
			certification(code: "rncp509"){title level apprenticeship nsfCodes skillBlocks{code label} accreditations{totalCount edges{node{siret}}}}
			old: certification(code: "RNCP4049"){replacedBy{code replacedBy{code}}}
			unknown: certification(code: "RNCP1"){code}}`, nil)
		var data struct {
			Certifications struct {
				TotalCount int
				Edges      []struct {
					Node struct{ Code, Title, State string }
				}
			}
			Certification struct {
				Title          string
				Level          int
				Apprenticeship bool
				NsfCodes       []string
				SkillBlocks    []struct{ Code, Label string }
				Accreditations struct {
					TotalCount int
					Edges      []struct{ Node struct{ Siret string } }
				}
			}
			Old struct {
				ReplacedBy struct {
					Code       string
					ReplacedBy struct{ Code string }
				}
			}
			Unknown *struct{ Code string }
		}
		r.Decode(t, &data)
		if data.Certifications.TotalCount != 2 || data.Certifications.Edges[0].Node.Code != "RNCP28155" || data.Certifications.Edges[1].Node.Code != "RNCP30271" {
			t.Errorf("search = %+v", data.Certifications)
		}
		c := data.Certification
		if c.Title != "Agent vérificateur d'appareils extincteurs" || c.Level != 3 || !c.Apprenticeship || len(c.SkillBlocks) != 6 || len(c.NsfCodes) != 1 {
			t.Errorf("certification = %+v", c)
		}
		if len(c.Accreditations.Edges) != 0 || c.Accreditations.TotalCount != 0 {
			t.Errorf("anonymous sees accreditations %+v", c.Accreditations)
		}
		if data.Old.ReplacedBy.Code != "RNCP22094" || data.Old.ReplacedBy.ReplacedBy.Code != "RNCP28155" || data.Unknown != nil {
			t.Errorf("replaced by = %+v, unknown = %+v", data.Old, data.Unknown)
		}

		// Accreditations: the operator sees all, an organisation its own.
		accrs := func(tok string) []string {
			var d struct {
				Certification struct {
					Accreditations struct {
						Edges []struct{ Node struct{ Siret string } }
					}
				}
			}
			e.Q(tok, `{certification(code: "RS5000"){accreditations{edges{node{siret}}}}}`, nil).Decode(t, &d)
			var out []string
			for _, a := range d.Certification.Accreditations.Edges {
				out = append(out, a.Node.Siret)
			}
			return out
		}
		if got := accrs(op); len(got) != 4 {
			t.Errorf("operator sees %v", got)
		}
		if got := accrs(member); len(got) != 1 || got[0] != "82815245400033" {
			t.Errorf("member sees %v", got)
		}

		// Dependent lists: funder → measure → audience.
		codes := func(list string, parent any) []string {
			var d struct {
				ReferenceCodes []struct{ Code, Label, ParentCode string }
			}
			e.Q("", `query($l: String!, $p: String){referenceCodes(list: $l, parent: $p){code label parentCode}}`,
				map[string]any{"l": list, "p": parent}).Decode(t, &d)
			var out []string
			for _, c := range d.ReferenceCodes {
				out = append(out, c.Code)
			}
			return out
		}
		if got := codes("funder", nil); len(got) < 19 || got[0] == "" {
			t.Errorf("funders = %v", got)
		}
		if got := strings.Join(codes("measure", "4"), ","); got != "AIF,AFC,POEI,POEC" {
			t.Errorf("measures of funder 4 = %s", got)
		}
		if got := strings.Join(codes("audience", "AFC"), ","); got != "AFC-DE,AFC-TH" {
			t.Errorf("audiences of AFC = %s", got)
		}

		// Writes: operators only.
		create := `mutation($i: CreateCertificationInput!){createCertification(input: $i){certification{code state decisionDate registrationEndDate}}}`
		in := map[string]any{"i": map[string]any{"code": "RS9999", "title": "Certification saisie", "rsCode": "RS9999",
			"decisionDate": "2026-03-01", "registrationEndDate": "2031-12-31"}}
		if r := e.Do(apptest.Request{Query: create, Variables: in, Token: member}); r.Code() != "FORBIDDEN" {
			t.Errorf("member create: %+v", r.Errors)
		}
		if r := e.Do(apptest.Request{Query: create, Variables: in}); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("anonymous create: %+v", r.Errors)
		}
		var created struct {
			CreateCertification struct {
				Certification struct{ Code, State, DecisionDate, RegistrationEndDate string }
			}
		}
		e.Q(op, create, in).Decode(t, &created)
		if c := created.CreateCertification.Certification; c.Code != "RS9999" || c.State != "ACTIVE" ||
			c.DecisionDate != "2026-03-01" || c.RegistrationEndDate != "2031-12-31" {
			t.Errorf("created %+v", c)
		}
		var h struct {
			CertificationHistory struct {
				Edges []struct{ Node struct{ Action string } }
			}
		}
		e.Q(op, `{certificationHistory(code: "RS9999"){edges{node{action}}}}`, nil).Decode(t, &h)
		if len(h.CertificationHistory.Edges) != 1 || h.CertificationHistory.Edges[0].Node.Action != "CREATE" {
			t.Errorf("history = %+v", h)
		}
	})
}

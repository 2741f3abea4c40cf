package catalogue

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/skillblock"
	"github.com/ofhub/ofhub/ent/viewer"
)

// batchSize is the number of records written per transaction: an
// interrupted import leaves complete batches only.
const batchSize = 500

// The files of France compétences' CSV export
// (export-fiches-csv-YYYY-MM-DD.zip), detected by name: the names are
// UTF-8 without the zip flag and may be decomposed (NFD), so matching uses
// ASCII fragments only.
var fcFiles = map[string]string{
	"standard":     "_standard_",
	"blocs":        "blocs_de_comp",
	"partenaires":  "_partenaires_",
	"certifiers":   "_certificateurs_",
	"nsf":          "_nsf_",
	"formacode":    "_formacode_",
	"replacements": "ancienne_nouvelle",
	"access":       "voixdacc",
}

var (
	ficheRe = regexp.MustCompile(`^(RNCP|RS)[0-9]+$`)
	siretRe = regexp.MustCompile(`^[0-9]{14}$`)
	levelRe = regexp.MustCompile(`^NIV([1-8])$`)
)

type accr struct {
	siret, name              string
	train, assess, certifier bool
}

// fcImport holds what the link files say, keyed by Numero_Fiche.
type fcImport struct {
	c        *ent.Client
	rep      *Report
	p        *Progress
	nsf      map[string][]string
	forma    map[string][]string
	labels   map[[2]string]string // (list, code) → label
	certs    map[string][]accr
	partners map[string][]accr
	replaced map[string]string
	appr     map[string]bool
	ids      map[string]int        // certification code → id
	endDates map[string]*time.Time // certification code → registration end
}

// ImportFranceCompetences imports the CSV export zip at zipPath:
// certifications (Standard) with their NSF codes, formacodes, certifiers
// and access by apprenticeship, replaced-by links, skill blocks and
// accreditations (partners and certifiers, matched to organisations by
// SIRET). Progress goes to p (may be nil).
func ImportFranceCompetences(ctx context.Context, c *ent.Client, zipPath string, p *Progress, progressOut io.Writer) (*Report, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", zipPath, err)
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	var total int64
	for _, f := range zr.File {
		name := strings.ToLower(path.Base(f.Name))
		if !strings.HasSuffix(name, ".csv") {
			continue
		}
		for kind, frag := range fcFiles {
			if strings.Contains(name, frag) && files[kind] == nil {
				files[kind] = f
				total += int64(f.UncompressedSize64)
			}
		}
	}
	if files["standard"] == nil {
		return nil, fmt.Errorf("%s : pas de fichier *Standard*.csv dans l'archive", zipPath)
	}
	if p == nil && progressOut != nil {
		p = NewProgress(progressOut, total)
	}
	ctx = viewer.SystemContext(ctx)
	im := &fcImport{c: c, rep: &Report{}, p: p,
		nsf: map[string][]string{}, forma: map[string][]string{}, labels: map[[2]string]string{},
		certs: map[string][]accr{}, partners: map[string][]accr{}, replaced: map[string]string{},
		appr: map[string]bool{}, ids: map[string]int{}, endDates: map[string]*time.Time{}}
	steps := []struct {
		kind     string
		required []string
		fn       func(row) error
	}{
		{"nsf", []string{"Numero_Fiche", "Nsf_Code"}, im.codeRow("nsf", "Nsf_Code", "Nsf_Intitule", im.nsf)},
		{"formacode", []string{"Numero_Fiche", "Formacode_Code"}, im.codeRow("formacode", "Formacode_Code", "Formacode_Libelle", im.forma)},
		{"certifiers", []string{"Numero_Fiche", "Siret_Certificateur"}, im.certifierRow},
		{"partenaires", []string{"Numero_Fiche", "Siret_Partenaire", "Habilitation_Partenaire"}, im.partnerRow},
		{"replacements", []string{"Numero_Fiche", "Nouvelle_Certification"}, im.replacementRow},
		{"access", []string{"Numero_Fiche", "Si_Jury"}, im.accessRow},
	}
	read := func(kind string, required []string, fn func(row) error) error {
		f := files[kind]
		if f == nil {
			return nil
		}
		name := path.Base(f.Name)
		p.Stage(name)
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s : %w", name, err)
		}
		defer rc.Close()
		var r io.Reader = rc
		if p != nil {
			r = countingReader{r: rc, p: p}
		}
		return eachRow(r, name, ';', im.rep, p, required, fn)
	}
	for _, s := range steps {
		if err := read(s.kind, s.required, s.fn); err != nil {
			return im.rep, err
		}
	}
	// Certifications, in batches.
	var batch []*ent.Certification
	flush := func() error {
		err := im.saveCertifications(ctx, batch)
		batch = batch[:0]
		return err
	}
	err = read("standard", []string{"Numero_Fiche", "Intitule", "Actif"}, func(r row) error {
		ct, err := im.certification(r)
		if err != nil {
			return err
		}
		batch = append(batch, ct)
		if len(batch) >= batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return im.rep, err
	}
	if err := im.saveReplacements(ctx); err != nil {
		return im.rep, err
	}
	// Skill blocks, in batches.
	var blocks []*ent.SkillBlock
	flushBlocks := func() error {
		err := im.saveBlocks(ctx, blocks)
		blocks = blocks[:0]
		return err
	}
	err = read("blocs", []string{"Numero_Fiche", "Bloc_Competences_Code", "Bloc_Competences_Libelle"}, func(r row) error {
		fiche, code := strings.ToUpper(r.Get("Numero_Fiche")), strings.ToUpper(r.Get("Bloc_Competences_Code"))
		id, ok := im.ids[fiche]
		switch {
		case !ok:
			return malformed("certification %q inconnue (absente du fichier Standard)", fiche)
		case code == "":
			return malformed("code de bloc vide")
		}
		blocks = append(blocks, &ent.SkillBlock{Code: code, Label: r.Get("Bloc_Competences_Libelle"), CertificationID: id})
		if len(blocks) >= batchSize {
			return flushBlocks()
		}
		return nil
	})
	if err == nil {
		err = flushBlocks()
	}
	if err != nil {
		return im.rep, err
	}
	if err := im.saveAccreditations(ctx); err != nil {
		return im.rep, err
	}
	// Codes met in the export that the LHEO tables lack (formacodes,
	// NSF sub-codes such as 221w): added, never relabelled.
	var codes []Code
	for k, label := range im.labels {
		codes = append(codes, Code{List: k[0], Code: k[1], Label: label, Active: true})
	}
	sort.Slice(codes, func(i, j int) bool {
		return codes[i].List < codes[j].List || codes[i].List == codes[j].List && codes[i].Code < codes[j].Code
	})
	im.rep.Codes, err = UpsertCodes(ctx, c, codes, false)
	p.Done()
	return im.rep, err
}

func (im *fcImport) fiche(r row) (string, error) {
	f := strings.ToUpper(r.Get("Numero_Fiche"))
	if !ficheRe.MatchString(f) {
		return "", malformed("numéro de fiche %q invalide (attendu RNCP… ou RS…)", r.Get("Numero_Fiche"))
	}
	return f, nil
}

func (im *fcImport) codeRow(list, codeCol, labelCol string, into map[string][]string) func(row) error {
	return func(r row) error {
		f, err := im.fiche(r)
		if err != nil {
			return err
		}
		code := r.Get(codeCol)
		if code == "" {
			return malformed("code %s vide", list)
		}
		if !slices.Contains(into[f], code) {
			into[f] = append(into[f], code)
		}
		// Labels read "42872 : Sécurité incendie".
		label := r.Get(labelCol)
		if _, rest, ok := strings.Cut(label, " : "); ok {
			label = strings.TrimSpace(rest)
		}
		im.labels[[2]string{list, code}] = label
		return nil
	}
}

func (im *fcImport) siret(r row, col string) (string, error) {
	s := strings.ReplaceAll(r.Get(col), " ", "")
	if !siretRe.MatchString(s) {
		return "", malformed("SIRET %q invalide (14 chiffres)", r.Get(col))
	}
	return s, nil
}

func (im *fcImport) certifierRow(r row) error {
	f, err := im.fiche(r)
	if err != nil {
		return err
	}
	s, err := im.siret(r, "Siret_Certificateur")
	if err != nil {
		return err
	}
	im.certs[f] = append(im.certs[f], accr{siret: s, name: r.Get("Nom_Certificateur"), train: true, assess: true, certifier: true})
	return nil
}

func (im *fcImport) partnerRow(r row) error {
	f, err := im.fiche(r)
	if err != nil {
		return err
	}
	s, err := im.siret(r, "Siret_Partenaire")
	if err != nil {
		return err
	}
	a := accr{siret: s, name: r.Get("Nom_Partenaire")}
	switch h := r.Get("Habilitation_Partenaire"); h {
	case "HABILITATION_ORGA_FORM":
		a.train, a.assess = true, true
	case "HABILITATION_FORMER":
		a.train = true
	case "HABILITATION_ORGANISER":
		a.assess = true
	default:
		return malformed("habilitation %q inconnue", h)
	}
	im.partners[f] = append(im.partners[f], a)
	return nil
}

func (im *fcImport) replacementRow(r row) error {
	f, err := im.fiche(r)
	if err != nil {
		return err
	}
	if n := strings.ToUpper(r.Get("Nouvelle_Certification")); n != "" {
		if !ficheRe.MatchString(n) {
			return malformed("nouvelle certification %q invalide", n)
		}
		im.replaced[f] = n
	}
	return nil
}

func (im *fcImport) accessRow(r row) error {
	f, err := im.fiche(r)
	if err != nil {
		return err
	}
	if strings.Contains(strings.ToLower(r.Get("Si_Jury")), "apprentissage") {
		im.appr[f] = true
	}
	return nil
}

func date(r row, col string) (*time.Time, error) {
	v := r.Get(col)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse("02/01/2006", v)
	if err != nil {
		return nil, malformed("%s : date %q invalide (attendu JJ/MM/AAAA)", col, v)
	}
	return &t, nil
}

// certification builds the certification a Standard row describes.
func (im *fcImport) certification(r row) (*ent.Certification, error) {
	code, err := im.fiche(r)
	if err != nil {
		return nil, err
	}
	ct := &ent.Certification{Code: code, Title: r.Get("Intitule"), Acronym: r.Get("Abrege_Libelle"),
		AcronymLabel: r.Get("Abrege_Intitule"), RegistrationType: r.Get("Type_Enregistrement"),
		NsfCodes: im.nsf[code], Formacodes: im.forma[code], Apprenticeship: im.appr[code]}
	if ct.Title == "" {
		return nil, malformed("intitulé vide")
	}
	if strings.HasPrefix(code, "RNCP") {
		ct.RncpCode = &code
	} else {
		ct.RsCode = &code
	}
	switch a := r.Get("Actif"); a {
	case "ACTIVE":
		ct.State = certification.StateACTIVE
	case "INACTIVE":
		ct.State = certification.StateINACTIVE
	default:
		return nil, malformed("Actif %q invalide (ACTIVE ou INACTIVE)", a)
	}
	switch lv := r.Get("Nomenclature_Europe_Niveau"); {
	case lv == "" || lv == "REPRISE":
	case levelRe.MatchString(lv):
		n, _ := strconv.Atoi(lv[3:])
		ct.Level = &n
	default:
		return nil, malformed("niveau %q invalide (NIV1…NIV8 ou REPRISE)", lv)
	}
	if ct.RegistrationEndDate, err = date(r, "Date_Fin_Enregistrement"); err != nil {
		return nil, err
	}
	if ct.DecisionDate, err = date(r, "Date_Decision"); err != nil {
		return nil, err
	}
	if ct.DecisionDate == nil {
		if ct.DecisionDate, err = date(r, "Date_dernier_jo"); err != nil {
			return nil, err
		}
	}
	for _, a := range im.certs[code] {
		ct.CertifierNames = append(ct.CertifierNames, a.name)
		ct.CertifierSirets = append(ct.CertifierSirets, a.siret)
	}
	return ct, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func sameInt(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func sameStr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func sameCert(a, b *ent.Certification) bool {
	return a.Title == b.Title && sameStr(a.RncpCode, b.RncpCode) && sameStr(a.RsCode, b.RsCode) &&
		a.Acronym == b.Acronym && a.AcronymLabel == b.AcronymLabel && a.RegistrationType == b.RegistrationType &&
		slices.Equal(a.NsfCodes, b.NsfCodes) && slices.Equal(a.Formacodes, b.Formacodes) &&
		slices.Equal(a.CertifierNames, b.CertifierNames) && slices.Equal(a.CertifierSirets, b.CertifierSirets) &&
		sameInt(a.Level, b.Level) && sameTime(a.RegistrationEndDate, b.RegistrationEndDate) &&
		sameTime(a.DecisionDate, b.DecisionDate) && a.State == b.State && a.Apprenticeship == b.Apprenticeship
}

// saveCertifications upserts one batch in one transaction.
func (im *fcImport) saveCertifications(ctx context.Context, batch []*ent.Certification) error {
	if len(batch) == 0 {
		return nil
	}
	codes := make([]string, len(batch))
	for i, ct := range batch {
		codes[i] = ct.Code
	}
	return withTx(ctx, im.c, func(tx *ent.Client) error {
		existing, err := tx.Certification.Query().Where(certification.CodeIn(codes...)).All(ctx)
		if err != nil {
			return err
		}
		have := map[string]*ent.Certification{}
		for _, e := range existing {
			have[e.Code] = e
		}
		for _, ct := range batch {
			im.endDates[ct.Code] = ct.RegistrationEndDate
			e := have[ct.Code]
			switch {
			case e == nil:
				n, err := tx.Certification.Create().SetCode(ct.Code).SetTitle(ct.Title).SetNillableRncpCode(ct.RncpCode).
					SetNillableRsCode(ct.RsCode).SetAcronym(ct.Acronym).SetAcronymLabel(ct.AcronymLabel).
					SetRegistrationType(ct.RegistrationType).SetNsfCodes(ct.NsfCodes).SetFormacodes(ct.Formacodes).
					SetCertifierNames(ct.CertifierNames).SetCertifierSirets(ct.CertifierSirets).
					SetNillableLevel(ct.Level).SetNillableRegistrationEndDate(ct.RegistrationEndDate).
					SetNillableDecisionDate(ct.DecisionDate).SetState(ct.State).SetApprenticeship(ct.Apprenticeship).Save(ctx)
				if err != nil {
					return fmt.Errorf("certification %s : %w", ct.Code, err)
				}
				have[ct.Code] = n
				im.ids[ct.Code] = n.ID
				im.rep.Certifications.Created++
			case sameCert(e, ct):
				im.ids[ct.Code] = e.ID
				im.rep.Certifications.Unchanged++
			default:
				u := tx.Certification.UpdateOne(e).SetTitle(ct.Title).SetAcronym(ct.Acronym).SetAcronymLabel(ct.AcronymLabel).
					SetRegistrationType(ct.RegistrationType).SetNsfCodes(ct.NsfCodes).SetFormacodes(ct.Formacodes).
					SetCertifierNames(ct.CertifierNames).SetCertifierSirets(ct.CertifierSirets).
					SetState(ct.State).SetApprenticeship(ct.Apprenticeship)
				// Set or clear: ent would apply both a clear and a set.
				if ct.RncpCode == nil {
					u.ClearRncpCode()
				} else {
					u.SetRncpCode(*ct.RncpCode)
				}
				if ct.RsCode == nil {
					u.ClearRsCode()
				} else {
					u.SetRsCode(*ct.RsCode)
				}
				if ct.Level == nil {
					u.ClearLevel()
				} else {
					u.SetLevel(*ct.Level)
				}
				if ct.RegistrationEndDate == nil {
					u.ClearRegistrationEndDate()
				} else {
					u.SetRegistrationEndDate(*ct.RegistrationEndDate)
				}
				if ct.DecisionDate == nil {
					u.ClearDecisionDate()
				} else {
					u.SetDecisionDate(*ct.DecisionDate)
				}
				n, err := u.Save(ctx)
				if err != nil {
					return fmt.Errorf("certification %s : %w", ct.Code, err)
				}
				have[ct.Code] = n
				im.ids[ct.Code] = e.ID
				im.rep.Certifications.Updated++
			}
		}
		return nil
	})
}

// saveReplacements sets replaced-by links once every certification exists.
func (im *fcImport) saveReplacements(ctx context.Context) error {
	codes := make([]string, 0, len(im.ids))
	for code := range im.ids {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for i := 0; i < len(codes); i += batchSize {
		chunk := codes[i:min(i+batchSize, len(codes))]
		err := withTx(ctx, im.c, func(tx *ent.Client) error {
			cur, err := tx.Certification.Query().Where(certification.CodeIn(chunk...)).
				Select(certification.FieldID, certification.FieldCode, certification.FieldReplacedByID).All(ctx)
			if err != nil {
				return err
			}
			for _, ct := range cur {
				var want *int
				if n, ok := im.replaced[ct.Code]; ok {
					if id, ok := im.ids[n]; ok {
						want = &id
					} else if id, err := tx.Certification.Query().Where(certification.Code(n)).OnlyID(ctx); err == nil {
						want = &id
					}
				}
				if sameInt(ct.ReplacedByID, want) {
					if want != nil {
						im.rep.ReplacedBy.Unchanged++
					}
					continue
				}
				u := tx.Certification.UpdateOneID(ct.ID)
				if want == nil {
					u.ClearReplacedBy()
				} else {
					u.SetReplacedByID(*want)
				}
				if err := u.Exec(ctx); err != nil {
					return fmt.Errorf("certification %s : %w", ct.Code, err)
				}
				if ct.ReplacedByID == nil {
					im.rep.ReplacedBy.Created++
				} else {
					im.rep.ReplacedBy.Updated++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (im *fcImport) saveBlocks(ctx context.Context, batch []*ent.SkillBlock) error {
	if len(batch) == 0 {
		return nil
	}
	codes := make([]string, len(batch))
	for i, b := range batch {
		codes[i] = b.Code
	}
	return withTx(ctx, im.c, func(tx *ent.Client) error {
		existing, err := tx.SkillBlock.Query().Where(skillblock.CodeIn(codes...)).All(ctx)
		if err != nil {
			return err
		}
		have := map[string]*ent.SkillBlock{}
		for _, e := range existing {
			have[e.Code] = e
		}
		for _, b := range batch {
			e := have[b.Code]
			switch {
			case e == nil:
				n, err := tx.SkillBlock.Create().SetCode(b.Code).SetLabel(b.Label).SetCertificationID(b.CertificationID).Save(ctx)
				if err != nil {
					return fmt.Errorf("bloc %s : %w", b.Code, err)
				}
				have[b.Code] = n
				im.rep.SkillBlocks.Created++
			case e.Label == b.Label && e.CertificationID == b.CertificationID:
				im.rep.SkillBlocks.Unchanged++
			default:
				n, err := tx.SkillBlock.UpdateOne(e).SetLabel(b.Label).SetCertificationID(b.CertificationID).Save(ctx)
				if err != nil {
					return fmt.Errorf("bloc %s : %w", b.Code, err)
				}
				have[b.Code] = n
				im.rep.SkillBlocks.Updated++
			}
		}
		return nil
	})
}

type accrKey struct {
	cert  int
	siret string
}

// saveAccreditations merges certifiers and partners per (certification,
// SIRET) and upserts them in batches, matching organisations by SIRET.
func (im *fcImport) saveAccreditations(ctx context.Context) error {
	merged := map[accrKey]*ent.Accreditation{}
	var keys []accrKey
	add := func(code string, list []accr) {
		id, ok := im.ids[code]
		if !ok {
			return // certification not in this export: its rows were reported or are foreign
		}
		for _, a := range list {
			k := accrKey{id, a.siret}
			m := merged[k]
			if m == nil {
				m = &ent.Accreditation{CertificationID: id, Siret: a.siret, Name: a.name, EndDate: im.endDates[code]}
				merged[k] = m
				keys = append(keys, k)
			}
			m.MayTrain = m.MayTrain || a.train
			m.MayAssess = m.MayAssess || a.assess
			m.Certifier = m.Certifier || a.certifier
		}
	}
	for code, list := range im.certs {
		add(code, list)
	}
	for code, list := range im.partners {
		add(code, list)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].cert < keys[j].cert || keys[i].cert == keys[j].cert && keys[i].siret < keys[j].siret
	})
	for i := 0; i < len(keys); i += batchSize {
		chunk := keys[i:min(i+batchSize, len(keys))]
		err := withTx(ctx, im.c, func(tx *ent.Client) error {
			certIDs, sirets := []int{}, []string{}
			for _, k := range chunk {
				certIDs = append(certIDs, k.cert)
				sirets = append(sirets, k.siret)
			}
			orgs, err := tx.Organization.Query().Where(organization.SiretIn(sirets...)).
				Select(organization.FieldID, organization.FieldSiret).All(ctx)
			if err != nil {
				return err
			}
			orgOf := map[string]int{}
			for _, o := range orgs {
				if _, ok := orgOf[o.Siret]; !ok {
					orgOf[o.Siret] = o.ID
				}
			}
			existing, err := tx.Accreditation.Query().Where(accreditation.CertificationIDIn(certIDs...), accreditation.SiretIn(sirets...)).All(ctx)
			if err != nil {
				return err
			}
			have := map[accrKey]*ent.Accreditation{}
			for _, e := range existing {
				have[accrKey{e.CertificationID, e.Siret}] = e
			}
			for _, k := range chunk {
				a := merged[k]
				if id, ok := orgOf[k.siret]; ok {
					a.OrganizationID = &id
				}
				e := have[k]
				switch {
				case e == nil:
					err := tx.Accreditation.Create().SetCertificationID(a.CertificationID).SetSiret(a.Siret).SetName(a.Name).
						SetNillableOrganizationID(a.OrganizationID).SetMayTrain(a.MayTrain).SetMayAssess(a.MayAssess).
						SetCertifier(a.Certifier).SetNillableEndDate(a.EndDate).Exec(ctx)
					if err != nil {
						return fmt.Errorf("habilitation %s : %w", a.Siret, err)
					}
					im.rep.Accreditations.Created++
				case e.Name == a.Name && sameInt(e.OrganizationID, a.OrganizationID) && e.MayTrain == a.MayTrain &&
					e.MayAssess == a.MayAssess && e.Certifier == a.Certifier && sameTime(e.EndDate, a.EndDate):
					im.rep.Accreditations.Unchanged++
				default:
					u := tx.Accreditation.UpdateOne(e).SetName(a.Name).
						SetMayTrain(a.MayTrain).SetMayAssess(a.MayAssess).SetCertifier(a.Certifier)
					if a.OrganizationID == nil {
						u.ClearOrganization()
					} else {
						u.SetOrganizationID(*a.OrganizationID)
					}
					if a.EndDate == nil {
						u.ClearEndDate()
					} else {
						u.SetEndDate(*a.EndDate)
					}
					err := u.Exec(ctx)
					if err != nil {
						return fmt.Errorf("habilitation %s : %w", a.Siret, err)
					}
					im.rep.Accreditations.Updated++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

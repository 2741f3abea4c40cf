package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/catalogue"
	"github.com/ofhub/ofhub/server/store"
)

// The demo training offer (DOMAIN.md §4): about fifty trainings of the
// demo head office, delivered by its branches, with some 150 sessions
// covering apprenticeship, work-study contracts, short courses and remote
// training, in every state of the workflow. Everything goes through the
// catalogue service as the head office's manager and the operator would
// use it, so the demo obeys every R-CAT rule. Certification codes are
// invented (RNCP99xxx / RS99xx); titles are those of real diplomas.

// CatalogueStats says what Catalogue loaded.
type CatalogueStats struct {
	Trainings, Sessions int
	ByState             map[training.State]int
	Drafts              int
}

type demoCert struct {
	code, title, certifier string
	level                  int
	blocks                 []string
	apprenticeship         bool
}

var demoCerts = []demoCert{
	{"RNCP99001", "CAP maçon", "Ministère de l'éducation nationale et de la jeunesse", 3, []string{"Réaliser des ouvrages en maçonnerie", "Mettre en œuvre les enduits"}, true},
	{"RNCP99002", "Baccalauréat professionnel menuiserie aluminium-verre", "Ministère de l'éducation nationale et de la jeunesse", 4, []string{"Préparer la fabrication", "Fabriquer et poser les ouvrages", "Assurer la maintenance"}, true},
	{"RNCP99003", "BTS comptabilité et gestion", "Ministère de l'éducation nationale et de la jeunesse", 5, []string{"Contrôler et traiter les opérations comptables", "Produire l'information fiscale", "Analyser la situation financière"}, true},
	{"RNCP99004", "BTS management commercial opérationnel", "Ministère de l'éducation nationale et de la jeunesse", 5, []string{"Développer la relation client", "Animer l'offre commerciale", "Manager l'équipe commerciale"}, true},
	{"RNCP99005", "CAP électricien", "Ministère de l'éducation nationale et de la jeunesse", 3, []string{"Réaliser une installation électrique", "Mettre en service une installation"}, true},
	{"RNCP99006", "Titre professionnel secrétaire assistant", "Ministère du travail, du plein emploi et de l'insertion", 4, []string{"Assurer les travaux courants de secrétariat", "Assurer le suivi administratif des ressources humaines"}, true},
	{"RNCP99007", "Titre professionnel comptable assistant", "Ministère du travail, du plein emploi et de l'insertion", 4, []string{"Assurer les travaux courants de comptabilité", "Préparer la paie et les déclarations sociales"}, true},
	{"RNCP99008", "Titre professionnel agent de restauration", "Ministère du travail, du plein emploi et de l'insertion", 3, []string{"Préparer en assemblage des hors-d'œuvre et desserts", "Réaliser des grillades et remettre en température"}, true},
	{"RS9901", "Sauveteur secouriste du travail (SST)", "Institut national de recherche et de sécurité", 0, nil, false},
	{"RS9902", "Habilitation électrique B1V – BR", "Organisme certificateur de démonstration", 0, nil, false},
}

// template of a demo training: what kind it is decides its sessions.
type demoTraining struct {
	kind   string // APPR, PRO, SHORT, REMOTE, FREE
	title  string
	cert   string
	years  int
	hours  [2]int // in centre, in company
	state  string // IN_CREATION, AWAITING, PUBLISHED, DRAFT, DRAFT_SUBMITTED, NOT_PUBLISHED, ARCHIVED
	groups int    // sessions
}

var demoTrainings = func() []demoTraining {
	base := []demoTraining{
		{"APPR", "CAP maçon - 1ère et 2ème année (en apprentissage)", "RNCP99001", 2, [2]int{800, 2400}, "", 3},
		{"APPR", "Bac pro menuiserie aluminium-verre - 1ère, 2ème et 3ème année (en apprentissage)", "RNCP99002", 3, [2]int{1850, 2900}, "", 3},
		{"APPR", "BTS comptabilité et gestion - 1ère et 2ème année (en apprentissage)", "RNCP99003", 2, [2]int{1350, 1900}, "", 3},
		{"APPR", "BTS management commercial opérationnel - 1ère et 2ème année (en apprentissage)", "RNCP99004", 2, [2]int{1350, 1900}, "", 3},
		{"APPR", "CAP électricien - 1ère et 2ème année (en apprentissage)", "RNCP99005", 2, [2]int{800, 2400}, "", 3},
		{"PRO", "Titre professionnel secrétaire assistant", "RNCP99006", 0, [2]int{700, 280}, "", 4},
		{"PRO", "Titre professionnel comptable assistant", "RNCP99007", 0, [2]int{760, 280}, "", 4},
		{"PRO", "Titre professionnel agent de restauration", "RNCP99008", 0, [2]int{490, 210}, "", 3},
		{"SHORT", "Sauveteur secouriste du travail : formation initiale", "RS9901", 0, [2]int{14, 0}, "", 2},
		{"SHORT", "Habilitation électrique : personnel non électricien", "RS9902", 0, [2]int{21, 0}, "", 2},
		{"FREE", "Gestes et postures au travail", "", 0, [2]int{7, 0}, "", 2},
		{"FREE", "Initiation au tableur pour la gestion quotidienne", "", 0, [2]int{21, 0}, "", 2},
		{"REMOTE", "Comptabilité générale entièrement à distance", "", 0, [2]int{120, 0}, "", 3},
		{"REMOTE", "Anglais professionnel à distance : accueil et relation client", "", 0, [2]int{60, 0}, "", 3},
		{"FREE", "Remise à niveau en français et mathématiques", "", 0, [2]int{280, 70}, "", 3},
		{"FREE", "Découverte des métiers du bâtiment", "", 0, [2]int{140, 70}, "", 3},
		{"PRO", "Titre professionnel secrétaire assistant : parcours accéléré", "RNCP99006", 0, [2]int{560, 210}, "", 3},
	}
	states := []string{"PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED", "PUBLISHED",
		"PUBLISHED", "PUBLISHED", "PUBLISHED", "IN_CREATION", "AWAITING", "DRAFT", "DRAFT_SUBMITTED", "NOT_PUBLISHED", "ARCHIVED"}
	var out []demoTraining
	for i := 0; len(out) < 51; i++ {
		t := base[i%len(base)]
		t.state = states[(i*7)%len(states)]
		out = append(out, t)
	}
	return out
}()

// Catalogue loads the demo training offer; Load must have run.
func Catalogue(ctx context.Context, c *ent.Client, o *catalogue.Offer) (*CatalogueStats, error) {
	sys := viewer.SystemContext(ctx)
	if _, err := catalogue.ImportLHEODicts(sys, c, ""); err != nil {
		return nil, fmt.Errorf("demo code lists: %w", err)
	}
	head, err := c.Organization.Query().Where(organization.Siret("55210000900018")).Only(sys)
	if err != nil {
		return nil, fmt.Errorf("demo head office: %w", err)
	}
	branches, err := head.QueryBranches().Order(ent.Asc(organization.FieldID)).All(sys)
	if err != nil || len(branches) < 2 {
		return nil, fmt.Errorf("demo branches: %d, %v", len(branches), err)
	}
	mgr, err := c.User.Query().Where(user.Email(Logins[1].Email)).Only(sys)
	if err != nil {
		return nil, fmt.Errorf("demo manager: %w", err)
	}
	op, err := c.User.Query().Where(user.Email(Logins[0].Email)).Only(sys)
	if err != nil {
		return nil, fmt.Errorf("demo operator: %w", err)
	}
	mctx := viewer.NewContext(ctx, &viewer.Viewer{UserID: mgr.ID, Name: "Damien LEROUX", Lang: "fr",
		Orgs: map[int][]viewer.Permission{head.ID: {viewer.Manager}}})
	octx := viewer.NewContext(ctx, &viewer.Viewer{UserID: op.ID, Operator: true, Name: "Hélène MARCHAND", Lang: "fr"})

	certEnd := o.Now().AddDate(4, 0, 0)
	err = store.InTx(sys, c, func(ctx context.Context, tx *ent.Client) error {
		for _, dc := range demoCerts {
			b := tx.Certification.Create().SetCode(dc.code).SetTitle(dc.title).SetCertifierNames([]string{dc.certifier}).
				SetRegistrationEndDate(certEnd).SetApprenticeship(dc.apprenticeship).
				SetObjective("Préparer au " + dc.title + " : acquérir les compétences du référentiel et se présenter à l'examen.")
			if dc.level > 0 {
				b.SetLevel(dc.level)
			}
			if len(dc.code) > 4 && dc.code[:4] == "RNCP" {
				b.SetRncpCode(dc.code[4:])
			} else {
				b.SetRsCode(dc.code[2:])
			}
			cert, err := b.Save(ctx)
			if err != nil {
				return fmt.Errorf("demo certification %s: %w", dc.code, err)
			}
			for i, l := range dc.blocks {
				if err := tx.SkillBlock.Create().SetCertification(cert).SetCode(fmt.Sprintf("%sBC%02d", dc.code, i+1)).
					SetLabel(l).Exec(ctx); err != nil {
					return fmt.Errorf("demo skill block: %w", err)
				}
			}
			// The titres professionnels are accredited to the head office
			// (France compétences lists them by SIRET, R-ORG-5).
			if dc.code >= "RNCP99006" && dc.code <= "RNCP99008" {
				if err := tx.Accreditation.Create().SetCertification(cert).SetSiret(head.Siret).SetName(head.Name).
					SetOrganizationID(head.ID).SetMayTrain(true).SetMayAssess(true).SetEndDate(certEnd).Exec(ctx); err != nil {
					return fmt.Errorf("demo accreditation: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// A venue per branch and one at the head office (R-CAT-12).
	orgs := append([]*ent.Organization{head}, branches...)
	venues := make(map[int]*ent.Venue, len(orgs))
	for _, org := range orgs {
		v, err := c.Venue.Create().SetOrganizationID(org.ID).SetName(org.Name + " — salles de formation").
			SetStreet(org.Street).SetPostcode(org.Postcode).SetCity(org.City).SetInseeCode(org.InseeCode).
			SetLatitude(derefF(org.Latitude)).SetLongitude(derefF(org.Longitude)).SetPhone("02 31 00 00 10").Save(sys)
		if err != nil {
			return nil, fmt.Errorf("demo venue of %s: %w", org.Name, err)
		}
		venues[org.ID] = v
	}

	stats := &CatalogueStats{ByState: map[training.State]int{}}
	for i, dt := range demoTrainings {
		trainer := branches[i%len(branches)]
		doc := demoDoc(o.Now(), dt, i, head, trainer, venues)
		t, err := demoTrainingThrough(ctx, c, o, mctx, octx, head.ID, dt, doc)
		if err != nil {
			return nil, fmt.Errorf("demo training %d %q (%s): %w", i+1, dt.title, dt.state, err)
		}
		stats.Trainings++
		stats.Sessions += len(doc.Sessions)
		stats.ByState[t.State]++
		if t.ChangeState != training.ChangeStateNONE {
			stats.Drafts++
		}
	}
	return stats, nil
}

func derefF(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// demoTrainingThrough walks one training through the workflow to its
// demo state, each step in its own transaction as over the API.
func demoTrainingThrough(ctx context.Context, c *ent.Client, o *catalogue.Offer, mctx, octx context.Context, orgID int, dt demoTraining, doc schematype.TrainingDoc) (*ent.Training, error) {
	var t *ent.Training
	step := func(vctx context.Context, fn func(ctx context.Context) error) error {
		return store.InTx(vctx, c, func(ctx context.Context, _ *ent.Client) error { return fn(ctx) })
	}
	if err := step(mctx, func(ctx context.Context) (err error) {
		t, _, err = o.Create(ctx, orgID, doc)
		return err
	}); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	if dt.state == "IN_CREATION" {
		return t, nil
	}
	if err := step(mctx, func(ctx context.Context) (err error) {
		t, _, err = o.Submit(ctx, t.ID)
		return err
	}); err != nil {
		return nil, fmt.Errorf("submit: %w", err)
	}
	if dt.state == "AWAITING" {
		return t, nil
	}
	if err := step(octx, func(ctx context.Context) (err error) {
		t, err = o.ValidateRequest(ctx, t.ID, "", "DIFF")
		return err
	}); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	switch dt.state {
	case "DRAFT", "DRAFT_SUBMITTED":
		changed := doc
		changed.Sessions = append([]schematype.SessionDoc(nil), doc.Sessions...)
		ids, err := c.Session.Query().Where(session.TrainingID(t.ID)).Order(ent.Asc(session.FieldID)).IDs(viewer.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		for i := range changed.Sessions {
			if i < len(ids) {
				id := ids[i]
				changed.Sessions[i].ID = &id
			}
		}
		changed.Objective += " Nouveauté : un module de préparation à l'entretien d'embauche."
		if err := step(mctx, func(ctx context.Context) (err error) {
			t, _, err = o.Update(ctx, t.ID, changed)
			return err
		}); err != nil {
			return nil, fmt.Errorf("draft: %w", err)
		}
		if dt.state == "DRAFT_SUBMITTED" {
			if err := step(mctx, func(ctx context.Context) (err error) {
				t, _, err = o.Submit(ctx, t.ID)
				return err
			}); err != nil {
				return nil, fmt.Errorf("submit draft: %w", err)
			}
		}
	case "ARCHIVED":
		if err := step(octx, func(ctx context.Context) (err error) {
			t, err = o.Archive(ctx, t.ID, "1", "Formation plus dispensée depuis la rentrée : remplacée par un nouveau parcours.")
			return err
		}); err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
	}
	return t, nil
}

// demoDoc writes the training document of template dt.
func demoDoc(now time.Time, dt demoTraining, i int, head, trainer *ent.Organization, venues map[int]*ent.Venue) schematype.TrainingDoc {
	doc := schematype.TrainingDoc{
		Certifying: dt.cert != "",
		Title:      dt.title,
		Objective: "À l'issue de la formation, le stagiaire sera capable de mettre en œuvre les savoir-faire du métier " +
			"en autonomie, dans le respect des règles de sécurité et de qualité.",
		Content:         "Apports théoriques, mises en situation sur plateau technique, évaluations en cours de formation.",
		ExpectedResults: "Attestation de fin de formation ; certification visée pour les parcours certifiants.",
		EntryLevel:      "1",
		WebLinks:        []string{fmt.Sprintf("https://atelier-formation.demo.ofhub.fr/formations/%d", i+1)},
	}
	if dt.cert != "" {
		doc.CertificationCodes = []string{dt.cert}
	}
	if dt.kind == "APPR" {
		doc.Apprenticeship = true
		y := dt.years
		doc.CycleYears = &y
	}
	loc := now.UTC()
	today := time.Date(loc.Year(), loc.Month(), loc.Day(), 0, 0, 0, 0, time.UTC)
	septNext := time.Date(today.Year(), 9, 1, 0, 0, 0, 0, time.UTC)
	if !septNext.After(today) {
		septNext = septNext.AddDate(1, 0, 0)
	}
	venue := venues[trainer.ID]
	reg := venues[head.ID].ID
	ptr := func(n int) *int {
		if n == 0 {
			return nil
		}
		return &n
	}
	for g := 0; g < dt.groups; g++ {
		s := schematype.SessionDoc{
			TrainerIDs:          []int{trainer.ID},
			VenueIDs:            []int{venue.ID},
			RegistrationVenueID: &reg,
			HoursInCentre:       ptr(dt.hours[0]),
			HoursInCompany:      ptr(dt.hours[1]),
			CourseType:          "1",
			Rhythm:              "1",
			TeachingMode:        "0",
			Prerequisites:       "Savoir lire, écrire et compter ; entretien de motivation.",
		}
		switch dt.kind {
		case "APPR":
			start := septNext.AddDate(g-1, 0, 0) // one running, then the next intakes
			if dt.state == "NOT_PUBLISHED" {
				start = septNext.AddDate(-dt.years-1-g, 0, 0)
			}
			s.StartsOn, s.EndsOn = start, start.AddDate(dt.years, 0, -1)
			s.Rhythm = "3"
			s.Fundings = []schematype.Funding{{Funder: "16", Measure: "APPR", RecruitmentState: "1", Seats: ptr(12)}}
			for y := 1; y <= dt.years; y++ {
				s.Cycles = append(s.Cycles, schematype.Cycle{Year: y, CycleType: "1", AlternanceType: "1", MinHeadcount: ptr(6),
					SimultaneousCapacity: ptr(12), CumulativeCapacity: ptr(24), RhythmUnit: "3", UnitsInCentre: ptr(2), UnitsInCompany: ptr(2)})
			}
			s.SkillBlocks = []schematype.SkillBlockUse{{CertificationCode: dt.cert, Validation: schematype.ValidationTotal}}
			s.RhythmComment = "2 semaines en centre, 2 semaines en entreprise"
		case "PRO":
			start := today.AddDate(0, 2+g*3, 0)
			if dt.state == "NOT_PUBLISHED" {
				start = today.AddDate(-2, -g*3, 0)
			}
			s.StartsOn, s.EndsOn = start, start.AddDate(0, 9, 0)
			if g == 0 {
				// A session dedicated to the work-study contract (seed 003).
				s.WorkStudyContract = true
				s.Rhythm = "3"
				s.Fundings = []schematype.Funding{{Funder: "16", Measure: "CPRO", RecruitmentState: "1", Seats: ptr(10)}}
			} else {
				s.Fundings = []schematype.Funding{{Funder: "2", Measure: "PRF", RecruitmentState: "1", Seats: ptr(12),
					PublicMarket: fmt.Sprintf("PRF-%d-%03d", start.Year(), 10+i)}}
			}
		case "SHORT", "FREE", "REMOTE":
			year := today.Year() + g
			s.StartsOn = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
			s.EndsOn = time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
			if dt.hours[0]+dt.hours[1] > 35 {
				s.StartsOn = today.AddDate(0, 1+g*2, 0)
				s.EndsOn = s.StartsOn.AddDate(0, 3, 0)
			} else {
				s.PermanentEntry = true
				s.CourseType = "2"
			}
			if dt.state == "NOT_PUBLISHED" {
				s.StartsOn, s.EndsOn = s.StartsOn.AddDate(-3, 0, 0), s.EndsOn.AddDate(-3, 0, 0)
			}
			s.Fundings = []schematype.Funding{{Funder: "10", Measure: "CPF", RecruitmentState: "1", Seats: ptr(8)}}
			if dt.kind == "REMOTE" {
				s.TeachingMode = "2"
				s.VenueIDs = nil
				s.Equipment = []string{"11"}
			}
		}
		// Online positioning (R-CAT-19): an information meeting before
		// sessions that have not started, applications otherwise.
		if s.EndsOn.After(today.AddDate(0, 1, 0)) {
			if s.StartsOn.After(today.AddDate(0, 0, 20)) {
				day := today.AddDate(0, 0, 14+g)
				s.RecruitmentSlots = append(s.RecruitmentSlots, schematype.RecruitmentSlot{
					Kind: schematype.RecruitmentICO, Open: true, Seats: 20, StartsOn: day, EndsOn: day,
					StartTime: "09:30", EndTime: "11:30", Comment: "Présentation de la formation et visite du plateau technique.",
					Address: &schematype.Address{Name: trainer.Name, Line1: trainer.Street, Postcode: trainer.Postcode, City: trainer.City, InseeCode: trainer.InseeCode},
				})
			}
			s.RecruitmentSlots = append(s.RecruitmentSlots, schematype.RecruitmentSlot{
				Kind: schematype.RecruitmentISC, Open: true, Seats: 30, StartsOn: today, EndsOn: minTime(s.EndsOn, today.AddDate(0, 3, 0)),
			})
		}
		doc.Sessions = append(doc.Sessions, s)
	}
	return doc
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

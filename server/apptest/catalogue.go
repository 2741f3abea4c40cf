package apptest

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/server/catalogue"
)

// Catalogue fixtures (DOMAIN.md §4): the code lists, a few certifications
// shaped like France compétences' fiches (invented values), and training
// organisations holding an NDA.

// Certification codes created by CatalogueRefs.
const (
	// Titre professionnel with three skill blocks, accessible by
	// apprenticeship, certifier: Ministère du travail (accreditations listed).
	CertTP = "RNCP35967"
	// BTS of the Ministère de l'éducation nationale: no accreditation list
	// (R-CAT-4 exception), two blocks.
	CertBTS = "RNCP35521"
	// Répertoire spécifique fiche, no blocks.
	CertRS = "RS5000"
	// Inactive fiche replaced by CertTP.
	CertOld = "RNCP744"
)

// CatalogueRefs loads the LHEO code tables and local lists and the
// certifications above; registration of every fiche ends on 2028-12-31.
func (e *Env) CatalogueRefs() {
	e.T.Helper()
	ctx := e.Sys()
	if _, err := catalogue.ImportLHEODicts(ctx, e.Client(), ""); err != nil {
		e.T.Fatalf("fixture code lists: %v", err)
	}
	end := time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC)
	c := e.Client()
	level := func(n int) *int { return &n }
	tp := c.Certification.Create().SetCode(CertTP).SetRncpCode("35967").
		SetTitle("Agent d'exploitation des services maritimes et portuaires").
		SetCertifierNames([]string{"Ministère du travail, du plein emploi et de l'insertion"}).
		SetNillableLevel(level(4)).SetRegistrationEndDate(end).SetApprenticeship(true).
		SetObjective("Former des agents capables de traiter les demandes de transport et les opérations portuaires.").
		SetContent("Traitement des demandes de transport ; opérations administratives ; coordination.").
		SaveX(ctx)
	bts := c.Certification.Create().SetCode(CertBTS).SetRncpCode("35521").SetTitle("BTS comptabilité et gestion").
		SetCertifierNames([]string{"Ministère de l'éducation nationale et de la jeunesse"}).
		SetNillableLevel(level(5)).SetRegistrationEndDate(end).SetApprenticeship(true).SaveX(ctx)
	c.Certification.Create().SetCode(CertRS).SetRsCode("5000").SetTitle("Habilitation électrique B1V").
		SetCertifierNames([]string{"Organisme certificateur privé"}).SetRegistrationEndDate(end).SaveX(ctx)
	c.Certification.Create().SetCode(CertOld).SetRncpCode("744").SetTitle("MC zinguerie").
		SetState("INACTIVE").SetReplacedBy(tp).
		SetRegistrationEndDate(time.Date(2023, 8, 31, 0, 0, 0, 0, time.UTC)).SaveX(ctx)
	for i, l := range []string{
		"Traiter et exécuter la demande de transport du client.",
		"Réaliser des opérations administratives et réglementaires.",
		"Organiser et coordonner des opérations liées au transport des marchandises.",
	} {
		c.SkillBlock.Create().SetCertification(tp).SetCode(fmt.Sprintf("%sBC%02d", CertTP, i+1)).SetLabel(l).SaveX(ctx)
	}
	for i, l := range []string{"Contrôler et traiter les opérations comptables.", "Produire l'information fiscale."} {
		c.SkillBlock.Create().SetCertification(bts).SetCode(fmt.Sprintf("%sBC%02d", CertBTS, i+1)).SetLabel(l).SaveX(ctx)
	}
}

// Accredit records that org may train for the certification code (R-ORG-5),
// as the France compétences import does: matched by SIRET.
func (e *Env) Accredit(org *ent.Organization, code string) {
	e.T.Helper()
	ctx := e.Sys()
	cert := e.Client().Certification.Query().AllX(ctx)
	for _, c := range cert {
		if c.Code == code {
			e.Client().Accreditation.Create().SetCertification(c).SetSiret(org.Siret).SetName(org.Name).
				SetOrganizationID(org.ID).SetMayTrain(true).SetMayAssess(true).SaveX(ctx)
			return
		}
	}
	e.T.Fatalf("fixture accreditation: no certification %s", code)
}

var ndaSeq atomic.Int64

// TrainingOrg creates a head office holding an NDA (R-CAT-3) with an address
// and a geolocation, ready to be the responsible organisation of trainings.
func (e *Env) TrainingOrg(name string) *ent.Organization {
	e.T.Helper()
	o := e.Org(name, nil)
	nda := fmt.Sprintf("2876%07d", ndaSeq.Add(1))
	o, err := e.Client().Organization.UpdateOne(o).SetNda(nda).SetStreet("12 rue des Lilas").
		SetLatitude(49.18).SetLongitude(-0.37).SetInseeCode("14118").Save(e.Sys())
	if err != nil {
		e.T.Fatalf("fixture training organisation %s: %v", name, err)
	}
	return o
}

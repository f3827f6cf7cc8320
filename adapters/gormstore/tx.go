package gormstore

import (
	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/ports"
)

// Tx is the ports.Tx that Requests.Create hands to its callback: the open
// GORM transaction. Writers of the same storage write in it through Gorm,
// so their rows commit or roll back with the request.
type Tx struct{ gorm *gorm.DB }

// Gorm returns the transaction's GORM handle.
func (t *Tx) Gorm() *gorm.DB { return t.gorm }

// txOf returns the GORM transaction inside tx, or a KindInternal error
// when tx was not made by this package (a fake's, say): writing outside
// the request's transaction would break SPEC §7.
func txOf(tx ports.Tx) (*gorm.DB, error) {
	t, ok := tx.(*Tx)
	if !ok || t == nil || t.gorm == nil {
		return nil, core.Errorf(core.KindInternal, "gormstore: transaction of type %T is not one of this storage", tx)
	}
	return t.gorm, nil
}

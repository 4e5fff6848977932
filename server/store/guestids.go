package store

import (
	"errors"
	"slices"
)

// GuestIDs lists the guests that are active (status StatusActive) or
// deactivated for one of reasons: from the status index (keys only), or,
// until the indexes are built, by reading every record.
func GuestIDs(s Store, status string, reasons []string) ([]string, error) {
	var ids []string
	err := s.ForEachGuestID(status, reasons, func(id string) error {
		ids = append(ids, id)
		return nil
	})
	if !errors.Is(err, ErrIndexNotReady) {
		return ids, err
	}
	ids = ids[:0]
	err = s.ForEachGuest(func(g *Guest) error {
		if (status == StatusActive && g.Deactivated == ReasonNone) || (g.Deactivated != ReasonNone && slices.Contains(reasons, g.Deactivated)) {
			ids = append(ids, g.UserID)
		}
		return nil
	})
	return ids, err
}

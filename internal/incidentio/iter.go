package incidentio

import (
	"context"
	"iter"
)

// PaginationMeta is the cursor block of a paginated list.
type PaginationMeta struct {
	After            string `json:"after,omitempty"`
	PageSize         int    `json:"page_size"`
	TotalRecordCount int64  `json:"total_record_count,omitempty"`
}

// paginate walks a cursor-paginated list: fetch returns one page and the
// cursor of the next ("" at the end). Iteration stops at the first error,
// which is yielded once.
func paginate[T any](ctx context.Context, fetch func(ctx context.Context, after string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		after := ""
		for {
			items, next, err := fetch(ctx, after)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" || next == after || len(items) == 0 {
				return
			}
			after = next
		}
	}
}

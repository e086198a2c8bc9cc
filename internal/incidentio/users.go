package incidentio

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// UsersService covers users (Users V2; read-only).
type UsersService service

// ListUsersOptions are the query of GET /v2/users.
type ListUsersOptions struct {
	Email    string
	PageSize int
	After    string
}

// UsersPage is one page of Users V2#List.
type UsersPage struct {
	Users          []User          `json:"users"`
	PaginationMeta *PaginationMeta `json:"pagination_meta"`
}

// List returns one page of users (Users V2#List).
func (s *UsersService) List(ctx context.Context, o *ListUsersOptions) (*UsersPage, *Response, error) {
	q := url.Values{}
	if o != nil {
		if o.Email != "" {
			q.Set("email", o.Email)
		}
		if o.PageSize > 0 {
			q.Set("page_size", strconv.Itoa(o.PageSize))
		}
		if o.After != "" {
			q.Set("after", o.After)
		}
	}
	var out UsersPage
	resp, err := (*service)(s).call(ctx, epListUsers, nil, q, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list users: %w", err)
	}
	return &out, resp, nil
}

// All iterates over every user matching o.
func (s *UsersService) All(ctx context.Context, o ListUsersOptions) iter.Seq2[User, error] {
	return paginate(ctx, func(ctx context.Context, after string) ([]User, string, error) {
		o.After = after
		page, _, err := s.List(ctx, &o)
		if err != nil {
			return nil, "", err
		}
		next := ""
		if page.PaginationMeta != nil {
			next = page.PaginationMeta.After
		}
		return page.Users, next, nil
	})
}

// ByEmail returns the user with that email, or an ErrNotFound-matching
// error.
func (s *UsersService) ByEmail(ctx context.Context, email string) (*User, *Response, error) {
	if email == "" {
		return nil, nil, fmt.Errorf("find user: %w: empty email", ErrInvalidArgument)
	}
	page, resp, err := s.List(ctx, &ListUsersOptions{Email: email, PageSize: 1})
	if err != nil {
		return nil, resp, err
	}
	if len(page.Users) == 0 {
		return nil, resp, fmt.Errorf("find user by email: %w", ErrNotFound)
	}
	return &page.Users[0], resp, nil
}

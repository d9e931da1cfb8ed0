package doo

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"golang.org/x/sync/singleflight"
)

// tokenSource holds one access token per client and shares it between concurrent callers; fetch gets a
// new one.
type tokenSource struct {
	static string
	url    string // the token endpoint, as errors name it
	fetch  func(context.Context) (string, error)

	mu    sync.Mutex
	token string
	group singleflight.Group
}

func (s *tokenSource) get(ctx context.Context) (string, error) {
	if s.static != "" {
		return s.static, nil
	}
	s.mu.Lock()
	tok := s.token
	s.mu.Unlock()
	if tok != "" {
		return tok, nil
	}
	ch := s.group.DoChan("token", func() (any, error) {
		// A caller that saw no token may get here after another flight stored one: share it.
		s.mu.Lock()
		cur := s.token
		s.mu.Unlock()
		if cur != "" {
			return cur, nil
		}
		// A fetch outlives the caller that started it: other callers wait on it too.
		tok, err := s.fetch(context.WithoutCancel(ctx))
		if err == nil {
			s.mu.Lock()
			s.token = tok
			s.mu.Unlock()
		}
		return tok, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil //nolint:forcetypeassert // the flight only returns strings
	case <-ctx.Done():
		return "", &Error{Method: http.MethodPost, Path: s.url, Err: ctx.Err()}
	}
}

// current returns the token held now, or "" when none is.
func (s *tokenSource) current() string {
	if s.static != "" {
		return s.static
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// invalidate forgets used, so the next get fetches a new token; a token already replaced stays.
func (s *tokenSource) invalidate(used string) {
	s.mu.Lock()
	if s.token == used {
		s.token = ""
	}
	s.mu.Unlock()
}

// fetchToken asks doo's token endpoint for a new access token with the client credentials.
func (t *transport) fetchToken(ctx context.Context) (string, error) {
	var ans tokenAnswer
	body := map[string]string{
		"client_id":     t.cfg.ClientID,
		"client_secret": t.cfg.ClientSecret,
		"grant_type":    "client_credentials",
	}
	err := t.do(ctx, request{method: http.MethodPost, path: "/v1/oauth", absURL: t.cfg.TokenURL,
		body: body, counter: &t.stats.token, repeatable: true}, &ans)
	if err != nil {
		if e := asError(err); e != nil {
			if e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusBadRequest {
				e.Reason = ReasonBadCredentials
				e.Hint = "doo refused the client credentials"
			}
		}
		return "", err
	}
	if ans.Data.AccessToken == "" {
		return "", &Error{Method: http.MethodPost, Path: displayURL(t.cfg.TokenURL), Err: errors.New("the answer holds no access token")}
	}
	t.redact.add(ans.Data.AccessToken)
	return ans.Data.AccessToken, nil
}

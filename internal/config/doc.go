// Package config reads a function's configuration from its environment
// (set by template.yaml, or by the local dev server) and reports every
// missing or malformed value at once.
//
// Example:
//
//	cfg, err := config.FromEnv(os.Getenv)
//	if err != nil {
//		// err lists every problem: "config: TABLE_NAME is required; GHL_BASE_URL: not an absolute URL"
//	}
package config

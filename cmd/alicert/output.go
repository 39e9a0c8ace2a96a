package main

import (
	"encoding/json"
	"io"
	"time"
)

// The JSON output the verbs share.

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	doc, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(jsonSafe(doc), '\n'))
	return err
}

// jsonTime formats a time for JSON output, "" when it is not known.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

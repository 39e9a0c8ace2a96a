package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateFileFormat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	require.NoError(t, SaveState(dir, &State{Domain: "example.com", CreateSentAt: at}))
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, map[string]any{"domain": "example.com", "create_sent_at": "2026-11-23T12:00:00Z"}, m)
	st, err := LoadState(dir)
	require.NoError(t, err)
	assert.True(t, st.Pending())

	require.NoError(t, os.WriteFile(filepath.Join(dir, StateFile), []byte("garbage"), 0o600))
	_, err = LoadState(dir)
	assert.ErrorContains(t, err, "not a state file")
}

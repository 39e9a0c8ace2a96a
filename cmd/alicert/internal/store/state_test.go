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

// A state file written before deploy_hook existed still loads, and one
// that records an owed hook loads it back; a damaged record is refused.
func TestStateFileDeployHook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := `{"domain": "example.com", "order_id": 98987582437920968, "cert_id": 12,
  "rollout": {"serial": "1a2b", "upload_name": "alicert_example_com_1a2b", "cert_id": 13}}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, StateFile), []byte(old), 0o600))
	st, err := LoadState(dir)
	require.NoError(t, err)
	assert.Nil(t, st.DeployHook)
	assert.Equal(t, int64(98987582437920968), st.OrderID)

	st.DeployHook = &HookDue{Serial: "1a2b", OrderID: 98987582437920968}
	require.NoError(t, SaveState(dir, st))
	back, err := LoadState(dir)
	require.NoError(t, err)
	assert.Equal(t, st.DeployHook, back.DeployHook)

	for _, bad := range []string{`{"domain": "example.com", "deploy_hook": {"serial": "xyz"}}`,
		`{"domain": "example.com", "deploy_hook": {"serial": "1a", "order_id": -1}}`} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, StateFile), []byte(bad), 0o600))
		_, err = LoadState(dir)
		assert.ErrorContains(t, err, "deploy_hook", bad)
	}
}

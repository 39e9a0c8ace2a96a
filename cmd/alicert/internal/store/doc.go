// Package store is what the alicert command keeps in an output directory
// (-out), and how it keeps it safe:
//
//   - the state file, alicert-state.json (State, LoadState, SaveState):
//     the order a rerun resumes and the deployment it carries on;
//   - the certificate files and their versions (Installer): cert.pem,
//     chain.pem, fullchain.pem and key.pem are links into .alicert/live, a
//     link to the version in use, which one rename switches;
//   - the key an order is placed with (GenerateKey, SaveOrderKey,
//     LoadOrderKey), written before the order is sent;
//   - the lock one run at a time holds on the directory (LockDir);
//   - the checks of -out itself (PrepareOut, ProbeWrite, CheckTargets):
//     no directory another user can change, no link alicert did not make.
//
// Files are replaced atomically, never through a link alicert did not
// make; the formats on disk are those earlier versions of alicert wrote.
package store

package vault_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/overview"
	"acctui/vault"
)

// pathguardChildEnv, when set, makes TestBranchPointerDamage the child
// process that runs the operations on a damaged file (a JSON childSpec).
const pathguardChildEnv = "VAULT_PATHGUARD_CHILD"

// childSpec tells the child what to run: the vault directory, the file
// to restore vault.db from before each operation, the accounts X (whose
// keys lie under the damage) and Y (whose do not), and whether the guard
// is off (to see the test fail without it).
type childSpec struct {
	Dir, File string
	X, Y, N   int
	GuardOff  bool
}

// opResult is what the child reports of one operation.
type opResult struct {
	Op        string
	Err       string
	Corrupt   bool
	Unchanged bool // vault.db holds the bytes it was given
	Size      int64
	Digest    string
}

// TestBranchPointerDamage builds a vault whose accounts, records and names
// buckets have branch pages and, for each bucket, points the child pointer
// of the lowest branch page on account X's path at that branch itself, its
// parent, the bucket's root, a page past the end of the file and a free
// page. A child process runs every public read and write on each file: an
// operation whose path crosses the damage gives ErrCorrupt naming `vault
// reset` and leaves the file as it was, one whose path does not gives the
// data the undamaged file gives, and none crashes or hangs (bbolt would
// recurse until the stack overflows, which ends the process, or grow a
// cursor's stack without end). Compaction, which copies every page,
// always refuses.
func TestBranchPointerDamage(t *testing.T) {
	if s := os.Getenv(pathguardChildEnv); s != "" {
		var spec childSpec
		if err := json.Unmarshal([]byte(s), &spec); err != nil {
			t.Fatal(err)
		}
		runPathguardChild(t, spec)
		return
	}
	const n = 300
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	err := v.Update(ctx, func(c *cache.Cache) error {
		for i := range n {
			if err := addAliasedAccount(c, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Accounts(ctx); err != nil { // unlocks the key AccountKey needs
		t.Fatal(err)
	}
	for i := range 2 { // pages to free, for a pointer at a free page
		if err := v.Write(ctx, cache.Hint{HomeAccountID: homeID(i)}, func(c *cache.Cache) error { return refreshOne(c, i) }); err != nil {
			t.Fatal(err)
		}
	}
	good, err := os.ReadFile(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	f := parseBolt(t, good)
	x := n / 3
	keys := func(i int) map[string][]byte {
		return map[string][]byte{
			"accounts": v.AccountKey(homeID(i)),
			"records":  v.AccountKey(homeID(i)),
			"names":    v.NameKey(username(i), homeID(i)),
			"listing":  v.AccountKey(homeID(i)),
		}
	}
	y := -1
	for i := n - 1; i >= 0 && y < 0; i-- {
		if i != x && f.apart(keys(x), keys(i)) {
			y = i
		}
	}
	if y < 0 {
		t.Fatal("no account's paths keep clear of account X's in all three buckets; more accounts needed")
	}
	// VAULT_PATHGUARD_OFF=1 runs the children without the guard: the test
	// then fails, the children crashing or looping until the deadline.
	spec := childSpec{Dir: opts.Dir, File: filepath.Join(t.TempDir(), "vault.db"), X: x, Y: y, N: n,
		GuardOff: os.Getenv("VAULT_PATHGUARD_OFF") != ""}
	want := runChild(t, spec, good)
	for op, r := range want {
		if r.Err != "" {
			t.Fatalf("undamaged file: %s: %s", op, r.Err)
		}
	}

	// What must fail, per damaged bucket; "good" must give the undamaged
	// file's result; the others may do either.
	expect := map[string]map[string]string{
		"accounts": {"accounts": "fail", "status": "fail", "readall": "fail", "readX": "fail", "readY": "good",
			"resolveX": "fail", "writeX": "fail", "update": "fail", "logoutX": "fail", "export": "fail", "compact": "fail", "importcopy": "fail", "writeY": "ok", "overview": "good", "eachoverview": "good"},
		"records": {"accounts": "good", "status": "good", "readall": "fail", "readX": "fail", "readY": "good",
			"resolveX": "good", "writeX": "fail", "update": "fail", "logoutX": "fail", "export": "fail", "compact": "fail", "importcopy": "fail", "writeY": "ok", "overview": "good", "eachoverview": "good"},
		"names": {"accounts": "good", "status": "good", "readall": "good", "readX": "good", "readY": "good",
			"resolveX": "fail", "logoutX": "fail", "export": "good", "compact": "fail", "importcopy": "fail", "writeY": "ok", "overview": "good", "eachoverview": "good"},
		// writeY may fail here: Y's listing write can rewrite the damaged
		// branch (bbolt once refused it at commit: "circular dependency",
		// a child pointer naming the page it was written to). checkOp
		// still requires any failure to be ErrCorrupt with the file
		// unchanged.
		"listing": {"accounts": "good", "status": "good", "readall": "good", "readX": "good", "readY": "good",
			"resolveX": "good", "writeX": "fail", "logoutX": "fail", "export": "good", "compact": "fail", "importcopy": "fail", "overview": "fail", "eachoverview": "fail"},
	}
	for _, bucket := range []string{"accounts", "records", "names", "listing"} {
		path := f.path(f.roots[bucket], keys(x)[bucket])
		if len(path) < 2 {
			t.Fatalf("bucket %s has no branch page; more accounts needed", bucket)
		}
		branch := path[len(path)-2] // the lowest branch on X's path
		targets := map[string]uint64{
			"itself": branch.id, "root": path[0].id,
			"past the end": f.hwm + 3, "a free page": f.free[len(f.free)/2],
		}
		if len(path) > 2 {
			targets["its parent"] = path[len(path)-3].id
		} else {
			t.Logf("bucket %s: the root is the lowest branch, so it has no parent", bucket)
		}
		for what, target := range targets {
			t.Run(bucket+"/"+what, func(t *testing.T) {
				damaged := bytes.Clone(good)
				binary.LittleEndian.PutUint64(damaged[f.childPointer(branch):], target)
				got := runChild(t, spec, damaged)
				for op, r := range got {
					checkOp(t, op, expect[bucket][op], r, want[op])
				}
			})
		}
	}
}

// addAliasedAccount stores test account i as an Account entry and, with
// other usernames, in twelve more tenants: fourteen names each, so that
// the names bucket of a few hundred accounts is three pages deep. It has
// an access token, so that refreshOne replaces one and leaves the
// account's summary, and so its names, as they are.
func addAliasedAccount(c *cache.Cache, i int) error {
	if err := addTinyAccount(c, i); err != nil {
		return err
	}
	if err := refreshOne(c, i); err != nil {
		return err
	}
	for r := range 12 {
		err := c.SaveAccount(cache.Account{HomeAccountID: homeID(i), Environment: testEnv,
			Realm: fmt.Sprintf("%08x-0000-4000-8000-%012x", r, i), Username: fmt.Sprintf("alias%d.%s", r, username(i)),
			AuthorityType: cache.AuthorityTypeMSSTS})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkOp compares one operation's result on a damaged file with what it
// must be.
func checkOp(t *testing.T, op, want string, r, undamaged opResult) {
	t.Helper()
	switch {
	case r.Err != "" && (!r.Corrupt || !strings.Contains(r.Err, "vault reset")):
		t.Errorf("%s: %s; want ErrCorrupt naming vault reset", op, r.Err)
	case r.Err != "" && !r.Unchanged:
		t.Errorf("%s failed (%s) and changed the file", op, r.Err)
	case want == "fail" && r.Err == "":
		t.Errorf("%s succeeded; its path crosses the damage", op)
	case (want == "good" || want == "ok") && r.Err != "":
		t.Errorf("%s: %s; its path keeps clear of the damage", op, r.Err)
	case want == "good" && r.Digest != undamaged.Digest:
		t.Errorf("%s gave other data than the undamaged file", op)
	}
}

// runChild runs the operations on file in a child process and returns
// their results by name; a crash or hang fails the test.
func runChild(t *testing.T, spec childSpec, file []byte) map[string]opResult {
	t.Helper()
	if err := os.WriteFile(spec.File, file, 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if d, ok := t.Deadline(); ok { // a hang ends with the test, not after it
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-10*time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBranchPointerDamage$", "-test.count=1")
	cmd.Env = append(os.Environ(), pathguardChildEnv+"="+string(env))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child process failed (%v):\n%s", err, tail(out, 3000))
	}
	got := map[string]opResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "result "); ok {
			var r opResult
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			got[r.Op] = r
		}
	}
	if len(got) != len(pathguardOps(spec)) {
		t.Fatalf("the child reported %d operations of %d:\n%s", len(got), len(pathguardOps(spec)), tail(out, 3000))
	}
	return got
}

func tail(b []byte, n int) []byte { return b[max(0, len(b)-n):] }

// pathguardOp is one public operation the child runs.
type pathguardOp struct {
	name string
	run  func(ctx context.Context, v *vault.Vault) (string, error)
}

// pathguardOps are the operations: every read and write of the vault's
// API, on account X (under the damage), Y (clear of it) or all.
func pathguardOps(spec childSpec) []pathguardOp {
	read := func(hint cache.Hint) func(ctx context.Context, v *vault.Vault) (string, error) {
		return func(ctx context.Context, v *vault.Vault) (string, error) {
			var doc []byte
			err := v.Read(ctx, hint, func(c *cache.Cache) error {
				var err error
				doc, err = c.Marshal()
				return err
			})
			return string(doc), err
		}
	}
	write := func(i int, fn func(c *cache.Cache) error) func(ctx context.Context, v *vault.Vault) (string, error) {
		return func(ctx context.Context, v *vault.Vault) (string, error) {
			return "", v.Write(ctx, cache.Hint{HomeAccountID: homeID(i)}, fn)
		}
	}
	x, y := spec.X, spec.Y
	return []pathguardOp{
		{"accounts", func(ctx context.Context, v *vault.Vault) (string, error) {
			list, err := v.Accounts(ctx)
			return fmt.Sprint(list), err
		}},
		{"overview", func(ctx context.Context, v *vault.Vault) (string, error) {
			list, err := v.Overview(ctx, time.Unix(1e9, 0))
			return fmt.Sprint(list), err
		}},
		{"eachoverview", func(ctx context.Context, v *vault.Vault) (string, error) {
			var list []overview.Account
			err := v.EachOverview(ctx, time.Unix(1e9, 0), func(a overview.Account) error {
				list = append(list, a)
				return nil
			})
			return fmt.Sprint(list), err
		}},
		{"status", func(ctx context.Context, v *vault.Vault) (string, error) {
			st, err := v.Status(ctx)
			return fmt.Sprint(st.Accounts, st.Generation), err
		}},
		{"readall", read(cache.Hint{})},
		{"readX", read(cache.Hint{HomeAccountID: homeID(x)})},
		{"readY", read(cache.Hint{HomeAccountID: homeID(y)})},
		{"resolveX", func(ctx context.Context, v *vault.Vault) (string, error) {
			list, err := v.ResolveAccount(ctx, username(x))
			return fmt.Sprint(list), err
		}},
		{"writeX", write(x, func(c *cache.Cache) error { return refreshOne(c, x) })},
		{"update", func(ctx context.Context, v *vault.Vault) (string, error) {
			return "", v.Update(ctx, func(c *cache.Cache) error { return addTinyAccount(c, spec.N+1) })
		}},
		{"logoutX", write(x, func(c *cache.Cache) error {
			c.RemoveAccountData(homeID(x), nil, testClientID, "1")
			return nil
		})},
		{"export", func(ctx context.Context, v *vault.Vault) (string, error) {
			out := filepath.Join(filepath.Dir(spec.File), "export.json")
			os.Remove(out)
			if err := v.ExportPlaintext(ctx, out); err != nil {
				return "", err
			}
			b, err := os.ReadFile(out)
			return string(b), err
		}},
		{"writeY", write(y, func(c *cache.Cache) error { return refreshOne(c, y) })},
		{"compact", func(ctx context.Context, v *vault.Vault) (string, error) { return "", v.CompactNow(ctx) }},
		{"importcopy", func(ctx context.Context, v *vault.Vault) (string, error) {
			// a merge into a copy of the vault reads every page of it
			defer vault.SetImportCopyBytes(0)()
			c := cache.New()
			if err := addTinyAccount(c, spec.N+2); err != nil {
				return "", err
			}
			doc, err := c.Marshal()
			if err != nil {
				return "", err
			}
			in := filepath.Join(filepath.Dir(spec.File), "import.json")
			if err := os.WriteFile(in, doc, 0o600); err != nil {
				return "", err
			}
			rep, err := v.ImportMSAL(ctx, in)
			return fmt.Sprint(rep.AccountsBefore, rep.AccountsAfter), err
		}},
	}
}

// runPathguardChild is the child: each operation on the file as given,
// its result printed as a "result" line.
func runPathguardChild(t *testing.T, spec childSpec) {
	debug.SetMaxStack(64 << 20) // bbolt's endless recursion dies sooner
	if spec.GuardOff {
		defer vault.SetPathGuard(false)()
	}
	file, err := os.ReadFile(spec.File)
	if err != nil {
		t.Fatal(err)
	}
	opts := vault.Options{Dir: spec.Dir, Backend: vault.BackendFile, Getenv: env{testPassphraseEnv: testPassphrase}.get,
		PassphraseEnv: testPassphraseEnv, ResetCommand: testResetCommand}
	v, err := vault.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	db := filepath.Join(spec.Dir, vault.DBFileName)
	for _, op := range pathguardOps(spec) {
		if err := os.WriteFile(db, file, 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Println("running", op.name) // a crash shows where
		out, err := op.run(context.Background(), v)
		after, _ := os.ReadFile(db)
		sum := sha256.Sum256([]byte(out))
		r := opResult{Op: op.name, Corrupt: errors.Is(err, vault.ErrCorrupt), Unchanged: bytes.Equal(after, file),
			Size: int64(len(after)), Digest: hex.EncodeToString(sum[:8])}
		if err != nil {
			r.Err = err.Error()
		}
		line, _ := json.Marshal(r)
		fmt.Printf("result %s\n", line)
	}
}

// boltFile is a bbolt file as the test reads it, by hand.
type boltFile struct {
	data      []byte
	ps        int
	root, hwm uint64
	free      []uint64
	roots     map[string]uint64 // bucket name → root page
}

// boltPage is a branch or leaf page: its keys and, for a branch, children.
type boltPage struct {
	id       uint64
	branch   bool
	keys     [][]byte
	children []uint64
}

// pathStep is a page on a search path and the element the search takes.
type pathStep struct {
	id    uint64
	index int
}

func parseBolt(t *testing.T, data []byte) boltFile {
	t.Helper()
	f := boltFile{data: data, ps: int(binary.LittleEndian.Uint32(data[24:]))}
	meta := data[:f.ps]
	if binary.LittleEndian.Uint64(data[f.ps+64:]) > binary.LittleEndian.Uint64(data[64:]) {
		meta = data[f.ps : 2*f.ps]
	}
	f.root, f.hwm = binary.LittleEndian.Uint64(meta[32:]), binary.LittleEndian.Uint64(meta[56:])
	fl := data[int(binary.LittleEndian.Uint64(meta[48:]))*f.ps:]
	count, start := int(binary.LittleEndian.Uint16(fl[10:])), 16
	if count == 0xFFFF {
		count, start = int(binary.LittleEndian.Uint64(fl[16:])), 24
	}
	for i := range count {
		f.free = append(f.free, binary.LittleEndian.Uint64(fl[start+8*i:]))
	}
	if len(f.free) == 0 {
		t.Fatal("no free pages")
	}
	f.roots = map[string]uint64{}
	b := data[int(f.root)*f.ps:] // the root bucket's leaf: bucket name → header
	for i := range int(binary.LittleEndian.Uint16(b[10:])) {
		e := b[16+16*i:]
		pos, k := binary.LittleEndian.Uint32(e[4:]), binary.LittleEndian.Uint32(e[8:])
		f.roots[string(e[pos:pos+k])] = binary.LittleEndian.Uint64(e[pos+k:])
	}
	return f
}

func (f boltFile) page(id uint64) boltPage {
	b := f.data[int(id)*f.ps:]
	p := boltPage{id: id, branch: binary.LittleEndian.Uint16(b[8:]) == 0x01}
	for i := range int(binary.LittleEndian.Uint16(b[10:])) {
		e := b[16+16*i:]
		if p.branch {
			pos, n := binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint32(e[4:])
			p.keys = append(p.keys, e[pos:pos+n])
			p.children = append(p.children, binary.LittleEndian.Uint64(e[8:]))
		} else {
			pos, n := binary.LittleEndian.Uint32(e[4:]), binary.LittleEndian.Uint32(e[8:])
			p.keys = append(p.keys, e[pos:pos+n])
		}
	}
	return p
}

// path is bbolt's search for key from page root, down to a leaf.
func (f boltFile) path(root uint64, key []byte) []pathStep {
	var path []pathStep
	for id := root; ; {
		p := f.page(id)
		if !p.branch {
			return append(path, pathStep{id: id})
		}
		i := 0 // the last key at or below key, else the first
		for i+1 < len(p.keys) && bytes.Compare(p.keys[i+1], key) <= 0 {
			i++
		}
		path = append(path, pathStep{id: id, index: i})
		id = p.children[i]
	}
}

// childPointer is the file offset of the child pointer the search takes
// from step, a branch.
func (f boltFile) childPointer(step pathStep) int {
	return int(step.id)*f.ps + 16 + 16*step.index + 8
}

// apart reports whether the search paths of two accounts' keys part, in
// every bucket, at a branch where they are two or more children apart:
// then neither account's operations (their neighbours included) reach
// the other's subtree.
func (f boltFile) apart(a, b map[string][]byte) bool {
	for _, bucket := range []string{"accounts", "records", "names", "listing"} {
		root := f.roots[bucket]
		pa, pb := f.path(root, a[bucket]), f.path(root, b[bucket])
		i := 0
		for i < len(pa)-1 && i < len(pb)-1 && pa[i].index == pb[i].index {
			i++
		}
		if d := pa[i].index - pb[i].index; d > -2 && d < 2 {
			return false
		}
	}
	return true
}

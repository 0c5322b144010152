package vault

import "runtime"

// ownThread wires the calling goroutine to its OS thread for the rest of
// its life; when the goroutine returns, Go ends the thread instead of
// reusing it.
//
// Linux keeps the session keyring per thread, and a process started without
// one (by a service manager, cron, ssh without pam_keyinit, a CI runner)
// gets a new anonymous one on each thread that asks for it. Making a key in
// the session keyring, setting its permissions and linking it elsewhere
// only works if every step runs on the same thread, and Go moves a
// goroutine between threads at any system call. The thread's keyring dies
// with the thread, so nothing it held leaks to other goroutines.
func ownThread() { runtime.LockOSThread() }

;; WASI fd_write as a guest sees it before and after its WASI descriptors change (GuestRunnerTest):
;; "ab" + "cd" to STDOUT in one call of two iovecs (4 bytes written, else exit 3), "ab" to
;; STDERR, then fd_close(1) and one more write to STDOUT, which must fail with EBADF (8; else exit
;; 4). The answer is "abcd" only when every step behaved.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "abcd")
  ;; iovecs at 16: (0, 2) and (2, 2); the written count goes to 32
  (data (i32.const 16) "\00\00\00\00\02\00\00\00\02\00\00\00\02\00\00\00")
  (func (export "_start")
    (if (i32.ne (call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 32)) (i32.const 0))
      (then (call $proc_exit (i32.const 3))))
    (if (i32.ne (i32.load (i32.const 32)) (i32.const 4))
      (then (call $proc_exit (i32.const 3))))
    (drop (call $fd_write (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 32)))
    (drop (call $fd_close (i32.const 1)))
    (if (i32.ne (call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 32)) (i32.const 8))
      (then (call $proc_exit (i32.const 4))))))

;; random-big: asks random_get for a buffer as large as the caller says, the way a guest asking
;; for "all of memory" would. STDIN holds two little-endian u32: the buffer's offset and length.
;; On an errno from random_get it exits with that errno; otherwise it writes the last 16 bytes of
;; the buffer to STDOUT (raw). Memory: 512 pages (32 MiB), data from offset 64 on.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; 0: iovec, 8: nread/nwritten, 16: offset, 20: length (read from STDIN)
  (memory (export "memory") 512)

  (func (export "_start")
    (local $errno i32)
    (local $end i32)
    ;; read the 8 parameter bytes from STDIN
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 8))
    (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $proc_exit (i32.const 100))))
    (if (i32.ne (i32.load (i32.const 8)) (i32.const 8))
      (then (call $proc_exit (i32.const 101))))
    (local.set $errno (call $random_get (i32.load (i32.const 16)) (i32.load (i32.const 20))))
    (if (local.get $errno)
      (then (call $proc_exit (local.get $errno))))
    ;; STDOUT: memory[offset + length - 16, offset + length)
    (local.set $end (i32.add (i32.load (i32.const 16)) (i32.load (i32.const 20))))
    (i32.store (i32.const 0) (i32.sub (local.get $end) (i32.const 16)))
    (i32.store (i32.const 4) (i32.const 16))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $proc_exit (i32.const 102))))))

;; dapr-http: what Dapr's wasi-http test guest does (components-contrib bindings/wasm/testdata/http,
;; a TinyGo 0.28 program: http.Client{Transport: dev-wasm-go's WasiRoundTripper}.Get(os.Args[1]),
;; then printf "Status: %d\n" and "Body: \n%s\n"), written by hand because TinyGo cannot be
;; installed here and Go 1.19 has no wasip1 port. It imports exactly what that TinyGo build imports
;; (the same 25 functions, modules, names, signatures and order; DaprHttpGuestIT checks the list)
;; and makes the calls it makes, in its order, with its arguments:
;;   random_get(32 bytes), args_sizes_get, args_get, clock_time_get(REALTIME, 1000)  (TinyGo's start)
;;   new-fields([User-agent: WASI-HTTP-Go/0.0.1])
;;   new-outgoing-request(GET, path, query without "?", some(http|https), authority, fields)
;;   handle(request, some(options: none, none, none)) -> future
;;   future-incoming-response-get, incoming-response-status, incoming-response-headers,
;;   fields-entries, incoming-response-consume, streams.read(stream, 65536) (once: dev-wasm-go
;;   reads a single chunk), drop-outgoing-request, drop-input-stream, drop-incoming-response,
;;   then one fd_write per printf.
;; The URL is split as Go's url.Parse does for ordinary URLs (the path percent-decoded, the raw
;; query and the fragment dropped); other schemes than http/https panic as dev-wasm-go does.
;; Failures end as the TinyGo build ends: "panic: Result is Err" on STDOUT and a trap, or
;; "No result!" on STDERR and exit 1. One addition for tests: with a second argument NAME the
;; guest also prints "NAME: <value>" as fmt.Printf("%s: %s\n", name, res.Header.Get(name)) would
;; for a canonical NAME (an exact look-up in the header map dev-wasm-go builds).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "streams" "read" (func $stream_read (param i32 i64 i32)))
  (import "streams" "drop-input-stream" (func $drop_input_stream (param i32)))
  (import "streams" "write" (func $stream_write (param i32 i32 i32 i32)))
  (import "types" "new-fields" (func $new_fields (param i32 i32) (result i32)))
  (import "types" "fields-entries" (func $fields_entries (param i32 i32)))
  (import "types" "drop-outgoing-request" (func $drop_outgoing_request (param i32)))
  (import "types" "new-outgoing-request"
    (func $new_outgoing_request
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "types" "outgoing-request-write" (func $outgoing_request_write (param i32 i32)))
  (import "types" "drop-incoming-response" (func $drop_incoming_response (param i32)))
  (import "types" "incoming-response-status"
    (func $incoming_response_status (param i32) (result i32)))
  (import "types" "incoming-response-headers"
    (func $incoming_response_headers (param i32) (result i32)))
  (import "types" "incoming-response-consume" (func $incoming_response_consume (param i32 i32)))
  (import "types" "future-incoming-response-get"
    (func $future_incoming_response_get (param i32 i32)))
  (import "default-outgoing-HTTP" "handle"
    (func $handle (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get"
    (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread"
    (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))

  ;; 0: random seed (32), 32: argc, 36: argv size, 40: clock (8), 128: the shared return area (20),
  ;; 160: the one header entry (16), 200..419: constant texts, 480: iovec, 496: nwritten.
  ;; The heap (cabi_realloc, argv, texts) starts at 4096 and grows the memory as needed.
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 200) "User-agent")
  (data (i32.const 216) "WASI-HTTP-Go/0.0.1")
  (data (i32.const 240) "Status: ")
  (data (i32.const 256) "Body: \n")
  (data (i32.const 272) "panic: Result is Err\n")
  (data (i32.const 300) "No result!\n")
  (data (i32.const 320) "panic: Unknown scheme\n")
  (data (i32.const 344) "http")
  (data (i32.const 352) "https")
  (data (i32.const 360) "panic: runtime error: index out of range [1] with length 1\n")

  (func $alloc (param $size i32) (result i32)
    (local $at i32) (local $end i32) (local $have i32)
    (local.set $at (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $at) (local.get $size)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535))
                  (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $at))

  (func $copy (param $to i32) (param $from i32) (param $length i32)
    (local $i i32)
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $i) (local.get $length)))
        (i32.store8 (i32.add (local.get $to) (local.get $i))
          (i32.load8_u (i32.add (local.get $from) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes))))

  ;; The canonical ABI's allocator: the host places strings and lists with it.
  (func (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $at i32)
    (local.set $at (call $alloc (local.get $new_size)))
    (if (local.get $old)
      (then (call $copy (local.get $at) (local.get $old)
        (select (local.get $old_size) (local.get $new_size)
          (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (local.get $at))

  (func $write (param $fd i32) (param $ptr i32) (param $length i32)
    (i32.store (i32.const 480) (local.get $ptr))
    (i32.store (i32.const 484) (local.get $length))
    (drop (call $fd_write (local.get $fd) (i32.const 480) (i32.const 1) (i32.const 496))))

  ;; TinyGo's panic: the message on STDOUT, then a trap
  (func $panic (param $ptr i32) (param $length i32)
    (call $write (i32.const 1) (local.get $ptr) (local.get $length))
    unreachable)

  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $done
      (loop $chars
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $chars)))
    (local.get $n))

  (func $equal (param $a i32) (param $a_len i32) (param $b i32) (param $b_len i32) (result i32)
    (local $i i32)
    (if (i32.ne (local.get $a_len) (local.get $b_len)) (then (return (i32.const 0))))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $i) (local.get $a_len)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i)))
                    (i32.load8_u (i32.add (local.get $b) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i32.const 1))

  ;; the value of a hex digit, or -1
  (func $hex (param $c i32) (result i32)
    (if (i32.and (i32.ge_u (local.get $c) (i32.const 48)) (i32.le_u (local.get $c) (i32.const 57)))
      (then (return (i32.sub (local.get $c) (i32.const 48)))))
    (local.set $c (i32.or (local.get $c) (i32.const 32)))
    (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 102)))
      (then (return (i32.sub (local.get $c) (i32.const 87)))))
    (i32.const -1))

  ;; the first index in [from, end) holding one of the bytes a, b, c; end when none does
  (func $find (param $s i32) (param $from i32) (param $end i32)
    (param $a i32) (param $b i32) (param $c i32) (result i32)
    (local $byte i32)
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $byte (i32.load8_u (i32.add (local.get $s) (local.get $from))))
        (br_if $done (i32.eq (local.get $byte) (local.get $a)))
        (br_if $done (i32.eq (local.get $byte) (local.get $b)))
        (br_if $done (i32.eq (local.get $byte) (local.get $c)))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $bytes)))
    (local.get $from))

  (func (export "_start")
    (local $argc i32) (local $argv i32) (local $url i32) (local $url_len i32)
    (local $i i32) (local $j i32) (local $hi i32) (local $lo i32)
    (local $scheme i32) (local $authority i32) (local $authority_end i32)
    (local $path_end i32) (local $query_end i32) (local $path i32) (local $path_len i32)
    (local $query i32) (local $query_len i32)
    (local $fields i32) (local $request i32) (local $future i32) (local $response i32)
    (local $status i32) (local $headers i32) (local $entries i32) (local $count i32)
    (local $stream i32) (local $body i32) (local $body_len i32) (local $out i32) (local $at i32)
    (local $name i32) (local $name_len i32) (local $value i32) (local $value_len i32)

    ;; TinyGo's start: a hash seed, the arguments, the time package's first clock read
    (drop (call $random_get (i32.const 0) (i32.const 32)))
    (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
    (local.set $argc (i32.load (i32.const 32)))
    (local.set $argv (call $alloc (i32.shl (local.get $argc) (i32.const 2))))
    (drop (call $args_get (local.get $argv) (call $alloc (i32.load (i32.const 36)))))
    (drop (call $clock_time_get (i32.const 0) (i64.const 1000) (i32.const 40)))

    (if (i32.lt_u (local.get $argc) (i32.const 2))
      (then (call $panic (i32.const 360) (i32.const 59))))
    (local.set $url (i32.load offset=4 (local.get $argv)))
    (local.set $url_len (call $strlen (local.get $url)))

    ;; url.Parse: scheme "://" authority path ["?" query] ["#" fragment]
    (local.set $i (call $find (local.get $url) (i32.const 0) (local.get $url_len)
      (i32.const 58) (i32.const 47) (i32.const 63)))
    (if (i32.eqz (call $equal (local.get $url) (local.get $i) (i32.const 344) (i32.const 4)))
      (then
        (if (i32.eqz (call $equal (local.get $url) (local.get $i) (i32.const 352) (i32.const 5)))
          (then (call $panic (i32.const 320) (i32.const 22))))
        (local.set $scheme (i32.const 1))))
    (local.set $authority (i32.add (local.get $i) (i32.const 3)))
    (local.set $authority_end (call $find (local.get $url) (local.get $authority)
      (local.get $url_len) (i32.const 47) (i32.const 63) (i32.const 35)))
    (local.set $path_end (call $find (local.get $url) (local.get $authority_end)
      (local.get $url_len) (i32.const 63) (i32.const 35) (i32.const 35)))
    (local.set $query_end (call $find (local.get $url) (local.get $path_end)
      (local.get $url_len) (i32.const 35) (i32.const 35) (i32.const 35)))
    ;; URL.Path is the decoded path
    (local.set $path (call $alloc (i32.sub (local.get $path_end) (local.get $authority_end))))
    (local.set $i (local.get $authority_end))
    (block $decoded
      (loop $chars
        (br_if $decoded (i32.ge_u (local.get $i) (local.get $path_end)))
        (local.set $j (i32.load8_u (i32.add (local.get $url) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.and (i32.eq (local.get $j) (i32.const 37))
                     (i32.le_u (i32.add (local.get $i) (i32.const 2)) (local.get $path_end)))
          (then
            (local.set $hi (call $hex (i32.load8_u (i32.add (local.get $url) (local.get $i)))))
            (local.set $lo (call $hex (i32.load8_u
              (i32.add (local.get $url) (i32.add (local.get $i) (i32.const 1))))))
            (if (i32.and (i32.ge_s (local.get $hi) (i32.const 0))
                         (i32.ge_s (local.get $lo) (i32.const 0)))
              (then
                (local.set $j (i32.or (i32.shl (local.get $hi) (i32.const 4)) (local.get $lo)))
                (local.set $i (i32.add (local.get $i) (i32.const 2)))))))
        (i32.store8 (i32.add (local.get $path) (local.get $path_len)) (local.get $j))
        (local.set $path_len (i32.add (local.get $path_len) (i32.const 1)))
        (br $chars)))
    ;; URL.RawQuery: after the "?", which it does not include
    (local.set $query (i32.add (local.get $url) (local.get $path_end)))
    (if (i32.lt_u (local.get $path_end) (local.get $query_end))
      (then
        (local.set $query (i32.add (local.get $query) (i32.const 1)))
        (local.set $query_len
          (i32.sub (i32.sub (local.get $query_end) (local.get $path_end)) (i32.const 1)))))

    ;; WasiRoundTripper.RoundTrip
    (i32.store (i32.const 160) (i32.const 200))
    (i32.store (i32.const 164) (i32.const 10))
    (i32.store (i32.const 168) (i32.const 216))
    (i32.store (i32.const 172) (i32.const 18))
    (local.set $fields (call $new_fields (i32.const 160) (i32.const 1)))
    (local.set $request (call $new_outgoing_request
      (i32.const 0) (i32.const 0) (i32.const 0)
      (local.get $path) (local.get $path_len)
      (local.get $query) (local.get $query_len)
      (i32.const 1) (local.get $scheme) (i32.const 0) (i32.const 0)
      (i32.add (local.get $url) (local.get $authority))
      (i32.sub (local.get $authority_end) (local.get $authority))
      (local.get $fields)))
    (local.set $future (call $handle (local.get $request)
      (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0)))
    (call $future_incoming_response_get (local.get $future) (i32.const 128))
    (if (i32.eqz (i32.load8_u (i32.const 128)))
      (then
        (call $write (i32.const 2) (i32.const 300) (i32.const 11))
        (call $proc_exit (i32.const 1))))
    (if (i32.load8_u (i32.const 132)) (then (call $panic (i32.const 272) (i32.const 21))))
    (local.set $response (i32.load (i32.const 136)))
    (local.set $status (call $incoming_response_status (local.get $response)))
    (local.set $headers (call $incoming_response_headers (local.get $response)))
    (call $fields_entries (local.get $headers) (i32.const 128))
    (local.set $entries (i32.load (i32.const 128)))
    (local.set $count (i32.load (i32.const 132)))
    (call $incoming_response_consume (local.get $response) (i32.const 128))
    (if (i32.load8_u (i32.const 128)) (then (call $panic (i32.const 272) (i32.const 21))))
    (local.set $stream (i32.load (i32.const 132)))
    (call $stream_read (local.get $stream) (i64.const 65536) (i32.const 128))
    (if (i32.load8_u (i32.const 128)) (then (call $panic (i32.const 272) (i32.const 21))))
    (local.set $body (i32.load (i32.const 132)))
    (local.set $body_len (i32.load (i32.const 136)))
    (call $drop_outgoing_request (local.get $request))
    (call $drop_input_stream (local.get $stream))
    (call $drop_incoming_response (local.get $response))

    ;; printResponse: fmt.Printf("Status: %d\n"), fmt.Printf("Body: \n%s\n")
    (local.set $out (call $alloc (i32.const 24)))
    (call $copy (local.get $out) (i32.const 240) (i32.const 8))
    (local.set $at (i32.add (local.get $out) (i32.const 20)))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.rem_u (local.get $status) (i32.const 10))))
      (local.set $status (i32.div_u (local.get $status) (i32.const 10)))
      (br_if $digits (local.get $status)))
    (local.set $i (i32.sub (i32.add (local.get $out) (i32.const 20)) (local.get $at)))
    (call $copy (i32.add (local.get $out) (i32.const 8)) (local.get $at) (local.get $i))
    (i32.store8 (i32.add (local.get $out) (i32.add (i32.const 8) (local.get $i))) (i32.const 10))
    (call $write (i32.const 1) (local.get $out) (i32.add (local.get $i) (i32.const 9)))

    (local.set $out (call $alloc (i32.add (local.get $body_len) (i32.const 8))))
    (call $copy (local.get $out) (i32.const 256) (i32.const 7))
    (call $copy (i32.add (local.get $out) (i32.const 7)) (local.get $body) (local.get $body_len))
    (i32.store8 (i32.add (local.get $out) (i32.add (local.get $body_len) (i32.const 7)))
      (i32.const 10))
    (call $write (i32.const 1) (local.get $out) (i32.add (local.get $body_len) (i32.const 8)))

    ;; the test addition: NAME: the value of the entry named exactly NAME
    (if (i32.ge_u (local.get $argc) (i32.const 3))
      (then
        (local.set $name (i32.load offset=8 (local.get $argv)))
        (local.set $name_len (call $strlen (local.get $name)))
        (local.set $i (i32.const 0))
        (block $found
          (loop $entry
            (br_if $found (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $at (i32.add (local.get $entries) (i32.shl (local.get $i) (i32.const 4))))
            (if (call $equal (i32.load (local.get $at)) (i32.load offset=4 (local.get $at))
                  (local.get $name) (local.get $name_len))
              (then
                (local.set $value (i32.load offset=8 (local.get $at)))
                (local.set $value_len (i32.load offset=12 (local.get $at)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $entry)))
        (local.set $out (call $alloc
          (i32.add (i32.add (local.get $name_len) (local.get $value_len)) (i32.const 3))))
        (call $copy (local.get $out) (local.get $name) (local.get $name_len))
        (local.set $at (i32.add (local.get $out) (local.get $name_len)))
        (i32.store8 (local.get $at) (i32.const 58))
        (i32.store8 offset=1 (local.get $at) (i32.const 32))
        (call $copy (i32.add (local.get $at) (i32.const 2)) (local.get $value) (local.get $value_len))
        (i32.store8 (i32.add (local.get $at) (i32.add (local.get $value_len) (i32.const 2)))
          (i32.const 10))
        (call $write (i32.const 1) (local.get $out)
          (i32.add (i32.add (local.get $name_len) (local.get $value_len)) (i32.const 3)))))))

-- wrk script for bench/run.sh: asks for a different page of the audit log on every request
-- (the path from BENCH_PATH, ending in "before=", followed by a random sequence number up to
-- BENCH_MAX_SEQ), so no answer can come from Custodian's cache of recently shown pages.
local path = os.getenv("BENCH_PATH")
local max_seq = tonumber(os.getenv("BENCH_MAX_SEQ"))

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format(nil, path .. math.random(1000, max_seq))
end

-- wrk script: cycle through the reader pages (used by tests/test_load.py).
local paths = {}
local n = 0

function init(args)
  for i = 1, #args do paths[i] = args[i] end
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

-- The retry action re-attempts the current spec after an aborted transition or a failed savepoint.
local actions = {}
local stalled = false
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Stalled" and condition.status == "True" then
      stalled = true
    end
  end
end
actions["retry"] = {["disabled"] = not stalled}
return actions

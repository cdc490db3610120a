-- Sets teal.flink.apache.org/retry; the controller re-attempts the current spec and removes the annotation.
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["teal.flink.apache.org/retry"] = os.date("!%Y-%m-%dT%H:%M:%SZ")
return obj

package resources

import "encoding/json"

func mustJSON(value any) []byte {
	raw, err := json.Marshal(value)
	if err != nil {
		panic(err) // only called on values decoded from YAML, which always encode
	}
	return raw
}

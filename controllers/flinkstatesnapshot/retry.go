package flinkstatesnapshot

import "time"

// retryAfter decides, after failed attempt number failures, whether the snapshot is tried again and after how
// long: upstream retries while failures <= backoffLimit (a negative limit retries forever), waiting base
// doubled for each earlier failure (10 s, 20 s, 40 s… with upstream's base).
func retryAfter(failures, backoffLimit int32, base time.Duration) (bool, time.Duration) {
	if backoffLimit >= 0 && failures > backoffLimit {
		return false, 0
	}
	shift := min(max(failures-1, 0), 16)
	return true, base * time.Duration(int64(1)<<shift)
}

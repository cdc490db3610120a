package flink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// OperationStatus is the queue status of an asynchronous operation.
type OperationStatus string

// The two states Flink reports. A failed operation is COMPLETED too, with a failure cause.
const (
	OperationInProgress OperationStatus = "IN_PROGRESS"
	OperationCompleted  OperationStatus = "COMPLETED"
)

// SavepointFormat is the savepoint's binary format.
type SavepointFormat string

// The savepoint formats Flink supports.
const (
	SavepointCanonical SavepointFormat = "CANONICAL"
	SavepointNative    SavepointFormat = "NATIVE"
)

// ErrOperationFailed is wrapped by the Err method of a completed operation that failed.
var ErrOperationFailed = errors.New("flink operation failed")

// asyncResult is the wire shape of every async status answer. The operation is decoded from raw JSON because
// Flink sends "operation": null while in progress (and some versions omit it), and because savepoint results
// say "failure-cause" where checkpoint results say "failureCause".
type asyncResult struct {
	Status struct {
		ID OperationStatus `json:"id"`
	} `json:"status"`
	Operation json.RawMessage `json:"operation"`
}

// operationInfo is the union of SavepointInfo, CheckpointInfo and AsynchronousOperationInfo.
type operationInfo struct {
	Location        string               `json:"location"`
	CheckpointID    int64                `json:"checkpointId"`
	SavepointCause  *SerializedThrowable `json:"failure-cause"`
	CheckpointCause *SerializedThrowable `json:"failureCause"`
}

// decode returns the status and the operation, which is zero when absent or null.
func (r *asyncResult) decode() (OperationStatus, operationInfo, error) {
	var info operationInfo
	if len(r.Operation) > 0 && string(r.Operation) != "null" {
		if err := json.Unmarshal(r.Operation, &info); err != nil {
			return "", info, fmt.Errorf("decoding operation: %w", err)
		}
	}
	switch r.Status.ID {
	case OperationInProgress, OperationCompleted:
	default:
		return "", info, fmt.Errorf("unknown operation status %q", r.Status.ID)
	}
	return r.Status.ID, info, nil
}

func (i operationInfo) failure() *SerializedThrowable {
	if i.SavepointCause != nil {
		return i.SavepointCause
	}
	return i.CheckpointCause
}

// pollOperation GETs an async status endpoint; a 404 becomes ErrOperationNotFound.
func (c *Client) pollOperation(ctx context.Context, endpoint, path string) (OperationStatus, operationInfo, error) {
	var wire asyncResult
	if err := c.get(ctx, endpoint, path, &wire); err != nil {
		return "", operationInfo{}, asOperationNotFound(err)
	}
	status, info, err := wire.decode()
	if err != nil {
		return "", info, fmt.Errorf("flink %s: %w", endpoint, err)
	}
	return status, info, nil
}

// triggerOperation POSTs a trigger and returns the request-id Flink answered with. Triggers with a triggerId
// are retried: Flink acknowledges a repeated triggerId without starting a second operation.
func (c *Client) triggerOperation(ctx context.Context, endpoint, path, triggerID string, body any) (string, error) {
	var response struct {
		RequestID string `json:"request-id"`
	}
	err := c.do(ctx, request{
		method:    http.MethodPost,
		endpoint:  endpoint,
		path:      path,
		jsonBody:  body,
		retryable: triggerID != "",
		out:       &response,
	})
	if err != nil {
		return "", err
	}
	if response.RequestID == "" {
		return "", fmt.Errorf("flink %s: answer carries no request-id", endpoint)
	}
	return response.RequestID, nil
}

# Teal operator image: a static binary on distroless, running as non-root.
# The build stage runs exactly what `make build` runs (test/chart/image_test.go keeps them equal).
ARG GO_VERSION=1.26
FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so the dependency layer is cached across source changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/teal .

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/teal /teal
USER 65532:65532
ENTRYPOINT ["/teal"]

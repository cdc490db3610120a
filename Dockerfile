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

# The FLIP-504 gate jar (make gate), which ADVANCED blue/green pods copy with `teal copy-gate-jar`.
FROM maven:3.9-eclipse-temurin-17 AS gate
WORKDIR /src
COPY gate/ gate/
RUN cd gate && mvn -B --no-transfer-progress -Pflink1 -DskipTests package

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/teal /teal
COPY --from=gate /src/gate/gate/target/teal-bluegreen-gate.jar /teal-bluegreen-gate.jar
USER 65532:65532
ENTRYPOINT ["/teal"]

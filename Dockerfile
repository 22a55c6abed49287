# simctl in a container, for batch engines: `simctl sweep STUDY --emit kubernetes` runs it as an
# Indexed Job. Build: docker build -t REGISTRY/simctl-k8s:0.1.0 .
#
# The package compiles dist/ in its prepare script, with TypeScript and esbuild, dev dependencies:
# the build stage compiles it with every dependency installed; the final stage installs only the
# runtime dependencies (--ignore-scripts keeps npm from running prepare without them) and takes
# dist/ from the build stage.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /opt/simctl
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY scenarios ./scenarios
COPY --from=build /src/dist ./dist
RUN chmod 755 bin/simctl.js && ln -s /opt/simctl/bin/simctl.js /usr/local/bin/simctl \
  && simctl --version
# The node user (uid 1000) of the base image; the emitted Jobs run as it (runAsUser, fsGroup).
USER node
WORKDIR /home/node
ENTRYPOINT ["simctl"]
CMD ["--help"]

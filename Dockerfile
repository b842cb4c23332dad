# One image for every process: the API, the worker, migrations and the demo.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json tsconfig.web.json ./
COPY src ./src
COPY config ./config
COPY seeds ./seeds
COPY bench ./bench
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
# The artifact store's directory (a volume in docker-compose.yml), writable by the service's user.
RUN mkdir -p /var/lib/invoice-lottery/artifacts && chown -R node:node /var/lib/invoice-lottery
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.api.js"]

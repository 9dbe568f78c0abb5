-- CreateTable
CREATE TABLE "ContainerRecreate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "userId" TEXT,
    "username" TEXT NOT NULL,
    "heartbeatAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ContainerRecreate_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ContainerRecreate_heartbeatAt_idx" ON "ContainerRecreate"("heartbeatAt");

-- CreateTable
CREATE TABLE "HostGrant" (
    "userId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HostGrant_pkey" PRIMARY KEY ("userId","hostId")
);

-- CreateTable
CREATE TABLE "HostEvent" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "timeNano" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT,
    "attributes" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "HostEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HostGrant_hostId_idx" ON "HostGrant"("hostId");

-- CreateIndex
CREATE INDEX "HostEvent_at_idx" ON "HostEvent"("at");

-- CreateIndex
CREATE INDEX "HostEvent_hostId_at_idx" ON "HostEvent"("hostId", "at");

-- AddForeignKey
ALTER TABLE "HostGrant" ADD CONSTRAINT "HostGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HostGrant" ADD CONSTRAINT "HostGrant_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HostEvent" ADD CONSTRAINT "HostEvent_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "HostLease" (
    "hostId" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'connecting',
    "lastError" TEXT,
    "lastSeen" TIMESTAMP(3),

    CONSTRAINT "HostLease_pkey" PRIMARY KEY ("hostId")
);

-- CreateTable
CREATE TABLE "ClusterProcess" (
    "id" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClusterProcess_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HostLease_holder_idx" ON "HostLease"("holder");

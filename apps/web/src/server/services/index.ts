import type { AuditService } from './audit-service';
import type { AuthService } from './auth-service';
import type { HostService } from './host-service';
import type { UserService } from './user-service';

/** Everything a request handler may use; built once in the server's composition root. */
export interface Services {
  auth: AuthService;
  hosts: HostService;
  users: UserService;
  audit: AuditService;
}

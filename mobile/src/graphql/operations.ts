// Every operation of the app. `npm run codegen` turns them into typed documents in src/gql/.
import { graphql } from '../gql';

export const AuthPayloadFields = graphql(`
  fragment AuthPayloadFields on AuthPayload {
    accessToken
    expiresIn
    refreshToken
    deviceToken
    user {
      id
      email
      roles
    }
  }
`);

// Sign-up in two steps, answered the same whether or not the email has an account: a code is emailed, then the code
// (with the password) completes the account and signs in. The old one-step `register` revealed taken emails.
export const SignUpDocument = graphql(`
  mutation SignUp($input: RegisterInput!) {
    signUp(input: $input) {
      accepted
      email
    }
  }
`);

export const CompleteSignUpDocument = graphql(`
  mutation CompleteSignUp($input: CompleteSignUpInput!) {
    completeSignUp(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

export const LoginDocument = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

export const RefreshSessionDocument = graphql(`
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      ...AuthPayloadFields
    }
  }
`);

export const LogoutDocument = graphql(`
  mutation Logout {
    logout
  }
`);

// ── Farms and plots ──────────────────────────────────────────────────────────────────────────────────────────────
export const PlotCardFields = graphql(`
  fragment PlotCardFields on Plot {
    id
    code
    areaM2
    soil
    sunExposure
    status
    pricePerSeasonCents
    currency
    farm {
      id
      name
      locality
    }
  }
`);

export const FarmsMapDocument = graphql(`
  query FarmsMap($first: Int, $after: String) {
    farms(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
          locality
          description
          location {
            latitude
            longitude
          }
          plots {
            id
            status
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const AvailablePlotsDocument = graphql(`
  query AvailablePlots($filter: PlotSearchInput, $first: Int, $after: String) {
    availablePlots(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        distanceKm
        node {
          ...PlotCardFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const PlotDetailDocument = graphql(`
  query PlotDetail($id: ID!) {
    plot(id: $id) {
      ...PlotCardFields
      photos
      farm {
        id
        name
        description
        locality
        openingSeason {
          startMonth
          endMonth
        }
        location {
          latitude
          longitude
        }
      }
    }
  }
`);

export const RequestRentalDocument = graphql(`
  mutation RequestRental($plotId: ID!, $startsOn: Date!, $endsOn: Date!) {
    requestRental(plotId: $plotId, startsOn: $startsOn, endsOn: $endsOn) {
      ...RentalCardFields
    }
  }
`);

// ── My plots ─────────────────────────────────────────────────────────────────────────────────────────────────────
export const RentalCardFields = graphql(`
  fragment RentalCardFields on Rental {
    id
    status
    startsOn
    endsOn
    priceCents
    currency
    plot {
      id
      code
      areaM2
      status
      farm {
        id
        name
        locality
      }
    }
  }
`);

export const MyRentalsDocument = graphql(`
  query MyRentals($first: Int, $after: String) {
    myRentals(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...RentalCardFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const TaskFields = graphql(`
  fragment TaskFields on Task {
    id
    kind
    title
    dueOn
    status
    notes
    completedAt
    generated
    crop {
      id
      name
    }
  }
`);

export const PlanFields = graphql(`
  fragment PlanFields on PlantingPlan {
    id
    version
    notes
    updatedAt
    items {
      crop {
        id
        name
        variety
      }
      share
      areaM2
      plantCount
      sowOn
      harvestOn
      expectedYieldKg
    }
  }
`);

export const RentalDetailDocument = graphql(`
  query RentalDetail($id: ID!) {
    rental(id: $id) {
      ...RentalCardFields
      plan {
        ...PlanFields
      }
      tasks(first: 20) {
        edges {
          cursor
          node {
            ...TaskFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
      harvests(first: 20) {
        edges {
          cursor
          node {
            id
            weightKg
            harvestedOn
            crop {
              id
              name
            }
            delivery {
              id
              status
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
      deliveries(first: 20) {
        edges {
          cursor
          node {
            id
            status
            addressText
            scheduledFor
            note
            updatedAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const PlotCamerasDocument = graphql(`
  query PlotCameras($plotId: ID!) {
    plot(id: $plotId) {
      id
      cameras {
        id
        name
        health
        public
        stream {
          id
          status
          viewers
        }
      }
    }
  }
`);

export const CameraTimelapsesDocument = graphql(`
  query CameraTimelapses($cameraId: ID!) {
    timelapses(cameraId: $cameraId, first: 7) {
      id
      day
      durationSeconds
      frameCount
      playbackUrl
    }
  }
`);

export const ActivityFields = graphql(`
  fragment ActivityFields on ActivityEvent {
    id
    kind
    message
    subjectId
    createdAt
  }
`);

export const PlotActivityDocument = graphql(`
  query PlotActivity($plotId: ID!, $first: Int, $after: String) {
    plot(id: $plotId) {
      id
      activity(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...ActivityFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const OnPlotActivityDocument = graphql(`
  subscription OnPlotActivity($plotId: ID!, $after: String) {
    plotActivity(plotId: $plotId, after: $after) {
      ...ActivityFields
      cursor
    }
  }
`);

export const CropsDocument = graphql(`
  query Crops {
    crops {
      id
      name
      variety
      daysToMaturity
      spacingCm
      sowingMonths
      expectedYieldKgPerM2
    }
  }
`);

export const SavePlantingPlanDocument = graphql(`
  mutation SavePlantingPlan($input: PlantingPlanInput!) {
    savePlantingPlan(input: $input) {
      ...PlanFields
      rental {
        id
        plan {
          id
        }
      }
    }
  }
`);

// ── Live camera ──────────────────────────────────────────────────────────────────────────────────────────────────
export const CameraViewDocument = graphql(`
  query CameraView($id: ID!) {
    camera(id: $id) {
      id
      name
      health
      public
      stream {
        id
        status
        viewers
        renditions
        startedAt
        lastError
      }
    }
  }
`);

export const PlaybackUrlDocument = graphql(`
  query PlaybackUrl($streamId: ID!) {
    playbackUrl(streamId: $streamId) {
      url
      expiresAt
      stream {
        id
        status
        viewers
      }
    }
  }
`);

export const OnStreamStatusDocument = graphql(`
  subscription OnStreamStatus($streamId: ID!, $after: String) {
    streamStatusChanged(streamId: $streamId, after: $after) {
      cursor
      id
      status
      renditions
      startedAt
      lastError
    }
  }
`);

export const OnViewerCountDocument = graphql(`
  subscription OnViewerCount($streamId: ID!) {
    viewerCount(streamId: $streamId)
  }
`);

export const HeartbeatDocument = graphql(`
  mutation Heartbeat($streamId: ID!) {
    heartbeat(streamId: $streamId)
  }
`);

// ── Notifications ────────────────────────────────────────────────────────────────────────────────────────────────
export const NotificationFields = graphql(`
  fragment NotificationFields on Notification {
    id
    kind
    title
    body
    link
    read
    readAt
    createdAt
  }
`);

export const NotificationsDocument = graphql(`
  query Notifications($first: Int, $after: String) {
    notifications(first: $first, after: $after) {
      unreadCount
      edges {
        cursor
        node {
          ...NotificationFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const OnNotificationAddedDocument = graphql(`
  subscription OnNotificationAdded($after: String) {
    notificationAdded(after: $after) {
      ...NotificationFields
      cursor
    }
  }
`);

export const MarkNotificationsReadDocument = graphql(`
  mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {
    markNotificationsRead(input: $input) {
      updatedCount
      unreadCount
    }
  }
`);

// ── Profile and addresses ────────────────────────────────────────────────────────────────────────────────────────
export const AddressFields = graphql(`
  fragment AddressFields on DeliveryAddress {
    id
    label
    recipientName
    line1
    line2
    postalCode
    city
    region
    countryCode
    phone
    instructions
    isDefault
  }
`);

export const ProfileDocument = graphql(`
  query Profile {
    me {
      id
      email
      roles
      displayName
      avatarUrl
      locale
      timeZone
      phone
      addresses {
        ...AddressFields
      }
    }
  }
`);

export const UpdateProfileDocument = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      displayName
      phone
      locale
      timeZone
    }
  }
`);

export const CreateDeliveryAddressDocument = graphql(`
  mutation CreateDeliveryAddress($input: DeliveryAddressInput!) {
    createDeliveryAddress(input: $input) {
      ...AddressFields
    }
  }
`);

export const DeleteDeliveryAddressDocument = graphql(`
  mutation DeleteDeliveryAddress($id: ID!) {
    deleteDeliveryAddress(id: $id)
  }
`);

export const SetDefaultDeliveryAddressDocument = graphql(`
  mutation SetDefaultDeliveryAddress($id: ID!) {
    setDefaultDeliveryAddress(id: $id) {
      id
      isDefault
    }
  }
`);

export const CameraRecordingsDocument = graphql(`
  query CameraRecordings($cameraId: ID!) {
    recordings(cameraId: $cameraId, first: 10) {
      id
      startedAt
      endedAt
      durationSeconds
      renditions
      playbackUrl
    }
  }
`);

// ── Social sign-in (VK ID, Yandex ID, Google, Apple) ─────────────────────────────────────────────────────────────
// The server holds the PKCE verifier and nonce; the app opens the URL in the system browser and brings back the code.
export const SocialProvidersDocument = graphql(`
  query SocialProviders {
    socialProviders {
      provider
      displayName
    }
  }
`);

export const StartSocialSignInDocument = graphql(`
  mutation StartSocialSignIn($provider: SocialProvider!, $redirectUri: String!) {
    startSocialSignIn(provider: $provider, redirectUri: $redirectUri) {
      authorizationUrl
      state
    }
  }
`);

export const CompleteSocialSignInDocument = graphql(`
  mutation CompleteSocialSignIn($input: CompleteSocialSignInInput!) {
    completeSocialSignIn(input: $input) {
      status
      provider
      ticket
      email
      auth {
        ...AuthPayloadFields
      }
    }
  }
`);

export const ProveSocialLinkWithPasswordDocument = graphql(`
  mutation ProveSocialLinkWithPassword($ticket: String!, $password: String!) {
    proveSocialLinkWithPassword(ticket: $ticket, password: $password) {
      ...AuthPayloadFields
    }
  }
`);

export const SendSocialLinkCodeDocument = graphql(`
  mutation SendSocialLinkCode($ticket: String!, $email: String) {
    sendSocialLinkCode(ticket: $ticket, email: $email)
  }
`);

export const ConfirmSocialLinkDocument = graphql(`
  mutation ConfirmSocialLink($code: String!) {
    confirmSocialLink(code: $code) {
      ...AuthPayloadFields
    }
  }
`);

// ── Account, password and push ───────────────────────────────────────────────────────────────────────────────────
export const RequestPasswordResetDocument = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

export const ResetPasswordDocument = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input)
  }
`);

export const DeleteAccountDocument = graphql(`
  mutation DeleteAccount($password: String!) {
    deleteAccount(password: $password)
  }
`);

export const RegisterPushDeviceDocument = graphql(`
  mutation RegisterPushDevice($input: RegisterPushDeviceInput!) {
    registerPushDevice(input: $input) {
      id
      platform
      lastSeenAt
    }
  }
`);

export const UnregisterPushDeviceDocument = graphql(`
  mutation UnregisterPushDevice($token: String!) {
    unregisterPushDevice(token: $token)
  }
`);

export const NotificationPreferencesDocument = graphql(`
  query NotificationPreferences {
    me {
      id
      notificationPreferences {
        kind
        email
        push
        inApp
      }
    }
  }
`);

export const UpdateNotificationPreferenceDocument = graphql(`
  mutation UpdateNotificationPreference($input: NotificationPreferenceInput!) {
    updateNotificationPreference(input: $input) {
      kind
      email
      push
      inApp
    }
  }
`);
